#include "base/uri_rules.h"

#include <boost/url/parse.hpp>

namespace tessera {
namespace {

constexpr size_t kMaxUrlLength = 2048;

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

std::string LowerAscii(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) out += Lower(c);
  return out;
}

bool IsHostChar(char c, bool ip6) {
  if (ip6 && c >= 'g' && c <= 'z') return false;
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
         (ip6 && c == ':');
}

}  // namespace

bool IsLoopbackHost(std::string_view host) {
  return host == "127.0.0.1" || host == "[::1]" || host == "localhost";
}

namespace {

// A host name or IP literal, nothing else: no "*" (redirect URIs are exact strings, never
// patterns — RFC 9700 §2.1) and no percent-encoded bytes.
bool IsPlainHost(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  std::string lower = LowerAscii(host);
  bool ip6 = lower.front() == '[' && lower.back() == ']';
  for (size_t i = ip6 ? 1 : 0; i < lower.size() - (ip6 ? 1 : 0); ++i) {
    if (!IsHostChar(lower[i], ip6)) return false;
  }
  return true;
}

}  // namespace

bool IsValidRedirectUri(std::string_view uri) {
  if (uri.size() > kMaxUrlLength) return false;
  auto parsed = boost::urls::parse_absolute_uri(uri);
  if (!parsed || parsed->has_fragment()) return false;
  std::string scheme(parsed->scheme());
  if (scheme == "https") return IsPlainHost(parsed->encoded_host()) && !parsed->has_userinfo();
  if (scheme == "http") return IsLoopbackHost(parsed->encoded_host());
  return scheme.find('.') != std::string::npos;
}

std::optional<std::string> LogoOrigin(std::string_view url) {
  if (url.empty() || url.size() > kMaxUrlLength) return std::nullopt;
  auto u = boost::urls::parse_absolute_uri(url);
  if (!u || u->has_userinfo()) return std::nullopt;
  std::string scheme = LowerAscii(u->scheme());
  std::string host = LowerAscii(u->encoded_host());
  if (scheme != "https" && !(scheme == "http" && IsLoopbackHost(host))) return std::nullopt;
  if (!IsPlainHost(host)) return std::nullopt;
  std::string origin = scheme + "://" + host;
  if (u->has_port()) {
    std::string_view port = u->port();
    if (port.empty() || port.size() > 5 ||
        port.find_first_not_of("0123456789") != std::string_view::npos) {
      return std::nullopt;
    }
    origin += ":" + std::string(port);
  }
  return origin;
}

std::optional<std::string> PublicUrlProblem(std::string_view url, bool allow_insecure_http) {
  auto u = boost::urls::parse_absolute_uri(url);
  if (url.size() > kMaxUrlLength || !u) return "is not an absolute URL";
  std::string scheme = LowerAscii(u->scheme());
  if (scheme != "https" && scheme != "http") return "must start with https:// (or http://)";
  if (u->has_userinfo() || u->has_query() || u->has_fragment()) {
    return "must be scheme://host[:port][/path], without user, query or fragment";
  }
  std::string host = LowerAscii(u->encoded_host());
  if (!IsPlainHost(host)) return "has no plain host name";
  if (scheme == "http" && !IsLoopbackHost(host) && !allow_insecure_http) {
    return "is plain http on a host that is not loopback: browsers would send passwords, "
           "session cookies and authorization codes in clear text. Use https:// (TLS at your "
           "proxy, with --trusted-proxies), or --insecure-http on a closed test network";
  }
  return std::nullopt;
}

std::optional<std::string> ReceiverUrlProblem(std::string_view uri, bool allow_http) {
  auto u = boost::urls::parse_absolute_uri(uri);
  if (uri.size() > kMaxUrlLength || !u) return "is not an absolute URL";
  std::string scheme = LowerAscii(u->scheme());
  if (scheme != "https" && scheme != "http") return "must start with https://";
  if (u->has_userinfo() || u->has_fragment()) return "must have no user part or fragment";
  std::string host = LowerAscii(u->encoded_host());
  if (!IsPlainHost(host)) return "has no plain host name";
  if (scheme == "http" && !allow_http && !IsLoopbackHost(host)) {
    return "must use https (http only for a confidential client)";
  }
  return std::nullopt;
}

}  // namespace tessera
