#include "http/forwarded.h"

#include <boost/beast/core/string.hpp>

#include <charconv>

namespace tessera::http {
namespace {

namespace ip = boost::asio::ip;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// IPv4-mapped IPv6 (a dual-stack socket's view of an IPv4 client) as the IPv4 address, so
// "::ffff:10.0.0.1" matches 10.0.0.0/8 and is logged and throttled as 10.0.0.1.
ip::address Normalized(const ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) return ip::make_address_v4(ip::v4_mapped, a.to_v6());
  return a;
}

// ":8080", or an obfuscated port ":_abc" (RFC 7239 §6.3).
bool ValidPort(std::string_view s) {
  if (s.size() < 2 || s.front() != ':') return false;
  s.remove_prefix(1);
  if (s.front() == '_') {
    return std::all_of(s.begin(), s.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
    });
  }
  unsigned port = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), port);
  return ec == std::errc() && end == s.data() + s.size() && s.size() <= 5 && port <= 65535;
}

std::optional<ip::address> StrictAddress(std::string_view s) {
  if (s.empty() || s.find('%') != std::string_view::npos) return std::nullopt;  // no zone ids
  boost::system::error_code ec;
  auto a = ip::make_address(std::string(s), ec);
  if (ec) return std::nullopt;
  return Normalized(a);
}

// Splits on `sep` where it is not inside a quoted string (RFC 9110 §5.6.4).
std::vector<std::string_view> SplitOutsideQuotes(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  bool quoted = false, escaped = false;
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (escaped) {
      escaped = false;
    } else if (quoted && c == '\\') {
      escaped = true;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == sep && !quoted) {
      parts.push_back(Trim(s.substr(start, i - start)));
      start = i + 1;
    }
  }
  parts.push_back(Trim(s.substr(start)));
  return parts;
}

// A token or a quoted string's content; nullopt for an unterminated quote.
std::optional<std::string> Unquoted(std::string_view v) {
  if (v.empty() || v.front() != '"') return std::string(v);
  if (v.size() < 2 || v.back() != '"') return std::nullopt;
  std::string out;
  for (size_t i = 1; i + 1 < v.size(); ++i) {
    if (v[i] == '\\' && i + 2 < v.size()) ++i;
    out += v[i];
  }
  return out;
}

// One proxy's hop: the address it saw (nullopt: unknown, hidden or garbage) and the scheme.
struct Hop {
  std::optional<ip::address> address;
  std::string proto;
};

// Every instance of a header, in order, as one comma-separated list.
std::string AllValues(const RawRequest& request, std::string_view name) {
  std::string joined;
  auto [first, last] = request.equal_range(name);
  for (auto it = first; it != last; ++it) {
    if (!joined.empty()) joined += ',';
    joined.append(it->value().data(), it->value().size());
  }
  return joined;
}

// RFC 7239: `for=192.0.2.60;proto=https, for="[2001:db8::1]:4711"`.
Hop ForwardedElement(std::string_view element) {
  Hop hop;
  for (std::string_view pair : SplitOutsideQuotes(element, ';')) {
    size_t eq = pair.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view name = Trim(pair.substr(0, eq));
    auto value = Unquoted(Trim(pair.substr(eq + 1)));
    if (!value) return {};
    if (boost::beast::iequals(name, "for")) hop.address = ParseForwardedNode(*value);
    if (boost::beast::iequals(name, "proto")) hop.proto = *value;
  }
  return hop;
}

std::vector<Hop> Hops(const RawRequest& request, ForwardedHeader header) {
  std::vector<Hop> hops;
  bool rfc7239 = header == ForwardedHeader::kForwarded;
  std::string values = AllValues(request, rfc7239 ? "Forwarded" : "X-Forwarded-For");
  if (values.empty()) return hops;
  for (std::string_view item : SplitOutsideQuotes(values, ',')) {
    hops.push_back(rfc7239 ? ForwardedElement(item) : Hop{ParseForwardedNode(item), ""});
  }
  return hops;
}

std::string SchemeOf(std::string_view proto) {
  return boost::beast::iequals(Trim(proto), "https") ? "https" : "http";
}

}  // namespace

std::optional<ip::address> ParseForwardedNode(std::string_view node) {
  node = Trim(node);
  if (node.empty() || node.size() > 64) return std::nullopt;
  if (node.front() == '[') {  // [IPv6] or [IPv6]:port
    size_t close = node.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    std::string_view rest = node.substr(close + 1);
    if (!rest.empty() && !ValidPort(rest)) return std::nullopt;
    auto a = StrictAddress(node.substr(1, close - 1));
    if (!a || (a->is_v4() && node.substr(1, close - 1).find(':') == std::string_view::npos)) {
      return std::nullopt;  // brackets hold IPv6 only
    }
    return a;
  }
  if (auto a = StrictAddress(node)) return a;  // IPv4, or bare IPv6 (X-Forwarded-For)
  size_t colon = node.find(':');  // IPv4:port
  if (colon == std::string_view::npos || node.find(':', colon + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  if (!ValidPort(node.substr(colon))) return std::nullopt;
  auto a = StrictAddress(node.substr(0, colon));
  if (!a || !a->is_v4()) return std::nullopt;
  return a;
}

Result<TrustedProxies> TrustedProxies::Parse(const std::vector<std::string>& cidrs) {
  TrustedProxies set;
  for (const std::string& entry : cidrs) {
    std::string_view s = Trim(entry);
    if (s.empty()) continue;
    size_t slash = s.find('/');
    auto address = StrictAddress(s.substr(0, slash));
    unsigned bits = address && address->is_v4() ? 32 : 128;
    unsigned prefix = bits;
    if (address && slash != std::string_view::npos) {
      std::string_view p = s.substr(slash + 1);
      auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), prefix);
      if (ec != std::errc() || end != p.data() + p.size() || p.empty()) prefix = bits + 1;
    }
    if (!address || prefix > bits) {
      return InvalidArgumentError("--trusted-proxies: not an address or CIDR network: " + entry);
    }
    if (address->is_v4()) {
      set.v4_.push_back(ip::network_v4(address->to_v4(), prefix).canonical());
    } else {
      set.v6_.push_back(ip::network_v6(address->to_v6(), prefix).canonical());
    }
  }
  return set;
}

bool TrustedProxies::Contains(const ip::address& address) const {
  ip::address a = Normalized(address);
  if (a.is_v4()) {
    return std::any_of(v4_.begin(), v4_.end(), [&](const ip::network_v4& n) {
      return ip::network_v4(a.to_v4(), n.prefix_length()).canonical() == n;
    });
  }
  return std::any_of(v6_.begin(), v6_.end(), [&](const ip::network_v6& n) {
    return ip::network_v6(a.to_v6(), n.prefix_length()).canonical() == n;
  });
}

ClientEndpoint ResolveClient(const ip::address& peer, const RawRequest& request,
                             const ForwardingRules& rules) {
  ip::address client = Normalized(peer);
  if (!rules.proxies.Contains(client)) return {client.to_string(), "http"};
  // From the right: each hop was appended by the proxy to its right, which we trust so far.
  // Stop at the first address outside the trusted proxies (the client), or at a hop we cannot
  // read (believing anything left of it would believe whoever wrote it).
  std::vector<Hop> hops = Hops(request, rules.header);
  const Hop* chosen = nullptr;
  for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
    if (!it->address) break;
    client = *it->address;
    chosen = &*it;
    if (!rules.proxies.Contains(client)) break;
  }
  std::string scheme;
  if (rules.header == ForwardedHeader::kForwarded) {
    scheme = SchemeOf(chosen ? chosen->proto : "");
  } else {
    std::string protos = AllValues(request, "X-Forwarded-Proto");
    scheme = SchemeOf(SplitOutsideQuotes(protos, ',').back());
  }
  return {client.to_string(), scheme};
}

}  // namespace tessera::http
