#include "tessera/resource_server/token_introspector.h"

#include <openssl/evp.h>

#include <boost/json.hpp>

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "http_fetch.h"
#include "json_claims.h"
#include "printable.h"

namespace tessera::resource_server {
namespace json = boost::json;
using internal::NumericDate;
using internal::StringMember;
using SteadyClock = std::chrono::steady_clock;

namespace {

VerifyError Err(VerifyErrorCode code, std::string reason) { return {code, std::move(reason)}; }

// application/x-www-form-urlencoded (RFC 6749 Appendix B): what HTML keeps, space as '+',
// every other byte %XX.
std::string FormEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if ((u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '*') {
      out.push_back(c);
    } else if (c == ' ') {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 0x0F]);
    }
  }
  return out;
}

std::string Base64(std::string_view raw) {
  std::string out(4 * ((raw.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(raw.data()), static_cast<int>(raw.size()));
  out.resize(n < 0 ? 0 : static_cast<size_t>(n));
  return out;
}

// The cache key: the raw SHA-256 of the token, so no token is ever kept.
std::string Sha256(std::string_view token) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(token.data(), token.size(), md, &len, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("OpenSSL: SHA-256 failed");
  }
  return std::string(reinterpret_cast<const char*>(md), len);
}

// A token is printable ASCII without spaces (RFC 6750 token68 and the keys Tessera issues
// or imports); anything else is not sent to Tessera at all.
bool PlausibleToken(std::string_view token) {
  return std::all_of(token.begin(), token.end(), [](char c) { return c > 0x20 && c < 0x7F; });
}

std::int64_t SystemNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

TokenIntrospector::TokenIntrospector(IntrospectorOptions options) : options_(std::move(options)) {
  while (!options_.issuer.empty() && options_.issuer.back() == '/') options_.issuer.pop_back();
  if (options_.issuer.empty()) throw std::invalid_argument("TokenIntrospector: issuer is required");
  if (options_.client_id.empty() || options_.client_secret.empty()) {
    throw std::invalid_argument("TokenIntrospector: client_id and client_secret are required");
  }
  if (options_.introspection_url.empty()) options_.introspection_url = UrlForIssuer(options_.issuer);
  internal::CheckHttpUrl("TokenIntrospector", options_.introspection_url, options_.allow_insecure_http);
  if (options_.max_response_bytes == 0 || options_.max_token_bytes == 0) {
    throw std::invalid_argument("TokenIntrospector: max_response_bytes and max_token_bytes must be positive");
  }
  // A refusal is never remembered longer than an acceptance.
  options_.inactive_cache_ttl = std::min(options_.inactive_cache_ttl, options_.cache_ttl);
  authorization_ = "Authorization: " + BasicCredentials(options_.client_id, options_.client_secret);
}

std::string TokenIntrospector::UrlForIssuer(std::string_view issuer) {
  while (!issuer.empty() && issuer.back() == '/') issuer.remove_suffix(1);
  return std::string(issuer) + "/oauth/introspect";
}

std::string TokenIntrospector::BasicCredentials(std::string_view client_id, std::string_view client_secret) {
  // Encoded before joining, so a ':' in the id cannot move the split (RFC 6749 §2.3.1).
  return "Basic " + Base64(FormEncode(client_id) + ":" + FormEncode(client_secret));
}

SteadyClock::time_point TokenIntrospector::Clock() const {
  return options_.clock ? options_.clock() : SteadyClock::now();
}

std::int64_t TokenIntrospector::UnixNow() const { return options_.now ? options_.now() : SystemNow(); }

IntrospectionResult TokenIntrospector::Introspect(std::string_view token) {
  using C = VerifyErrorCode;
  if (token.empty()) return Err(C::kMalformed, "empty token");
  if (token.size() > options_.max_token_bytes) return Err(C::kMalformed, "token too large");
  if (!PlausibleToken(token)) return Err(C::kMalformed, "the token holds characters no token has");

  std::string digest = Sha256(token);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = cache_.find(digest); it != cache_.end()) {
      if (Clock() < it->second.until) {
        ++stats_.cache_hits;
        return it->second.result;
      }
      cache_.erase(it);
      stats_.cached = cache_.size();
    }
  }
  IntrospectionResult result = Ask(token);
  // "Could not ask" says nothing about the token: the next request asks again.
  if (result.ok() || !result.error().unavailable()) Remember(digest, result);
  return result;
}

IntrospectionResult TokenIntrospector::Ask(std::string_view token) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.requests;
  }
  internal::FetchOptions fetch;
  fetch.connect_timeout = options_.connect_timeout;
  fetch.request_timeout = options_.request_timeout;
  fetch.max_response_bytes = options_.max_response_bytes;
  fetch.ca_file = options_.ca_file;
  const std::string body = "token=" + FormEncode(token);
  const std::string& url = options_.introspection_url;
  internal::FetchAnswer answer = internal::Fetch(
      url, fetch,
      // "Expect:" off: a long token must not make libcurl wait for a 100 Continue.
      {authorization_, "Content-Type: application/x-www-form-urlencoded", "Accept: application/json",
       "Expect:"},
      &body);

  std::optional<IntrospectionResult> result;
  if (!answer.done) {
    result = Err(VerifyErrorCode::kIntrospectionUnavailable,
                 "introspection at " + url + " failed: " + answer.error);
  } else if (answer.status != 200) {
    std::string why = "introspection at " + url + " answered HTTP " + std::to_string(answer.status);
    if (answer.status == 400 || answer.status == 401) {
      why += " (check the client id and secret, and that the client is a confidential one)";
    }
    result = Err(VerifyErrorCode::kIntrospectionUnavailable, why);
  } else {
    boost::system::error_code ec;
    json::value v = json::parse(answer.body, ec);
    if (ec || !v.is_object()) {
      result = Err(VerifyErrorCode::kIntrospectionUnavailable,
                   "introspection at " + url + " answered something that is not a JSON object");
    } else {
      result = Judge(v.get_object());
    }
  }
  if (!result->ok() && result->error().unavailable()) {
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.failures;
    stats_.last_error = result->error().reason;
  }
  return std::move(*result);
}

// What an answer means. A member of the wrong type makes the whole answer unusable (Tessera
// would not send it: something else answered), which is not the token's fault.
IntrospectionResult TokenIntrospector::Judge(const json::object& a) const {
  using C = VerifyErrorCode;
  auto unusable = [](const std::string& what) {
    return Err(C::kIntrospectionUnavailable, "the introspection answer is unusable: " + what);
  };
  auto active = a.find("active");
  if (active == a.end() || !active->value().is_bool()) return unusable("no boolean active");
  if (!active->value().get_bool()) return Err(C::kInactive, "the token is not active (unknown, revoked or expired)");

  IntrospectedToken out;
  for (const char* member : {"iss", "sub", "token_type", "client_id", "email", "username", "scope"}) {
    auto it = a.find(member);
    if (it != a.end() && !it->value().is_string() && !it->value().is_null()) {
      return unusable(std::string(member) + " is not a string");
    }
  }
  for (const char* member : {"exp", "iat"}) {
    if (a.contains(member) && !a.at(member).is_null() && !NumericDate(a, member)) {
      return unusable(std::string(member) + " is not a number");
    }
  }
  if (auto it = a.find("roles"); it != a.end() && !internal::StringArray(it->value(), &out.roles)) {
    return unusable("roles is not an array of strings");
  }

  const json::string* iss = StringMember(a, "iss");
  if (!iss) return Err(C::kMissingClaim, "the answer has no iss");
  if (*iss != options_.issuer) {
    return Err(C::kWrongIssuer, "issued by another issuer (" + internal::Printable(*iss) + ")");
  }
  const json::string* sub = StringMember(a, "sub");
  if (!sub || sub->empty()) return Err(C::kMissingClaim, "the answer has no sub");
  const json::string* type = StringMember(a, "token_type");
  out.token_type = type ? std::string(*type) : std::string();
  if (!options_.allowed_token_types.empty() && !options_.allowed_token_types.count(out.token_type)) {
    return Err(C::kWrongType, "a token of type \"" + internal::Printable(out.token_type) +
                                  "\" is not accepted here");
  }
  out.expires_at = NumericDate(a, "exp");
  if (out.expires_at && *out.expires_at <= UnixNow()) return Err(C::kExpired, "the token has expired");

  out.issuer = std::string(*iss);
  out.subject = std::string(*sub);
  if (auto* s = StringMember(a, "client_id")) out.client_id = std::string(*s);
  if (auto* s = StringMember(a, "email")) out.email = std::string(*s);
  if (auto* s = StringMember(a, "username")) out.username = std::string(*s);
  if (auto* s = StringMember(a, "scope")) out.scopes = internal::SplitScope(*s);
  out.issued_at = NumericDate(a, "iat").value_or(0);
  out.claims = a;
  return out;
}

void TokenIntrospector::Remember(const std::string& digest, const IntrospectionResult& result) {
  std::chrono::seconds ttl = result.ok() ? options_.cache_ttl : options_.inactive_cache_ttl;
  if (result.ok() && result->expires_at) {
    // Never past the token's own end.
    ttl = std::min(ttl, std::chrono::seconds(*result->expires_at - UnixNow()));
  }
  if (ttl <= std::chrono::seconds(0) || options_.max_cache_entries == 0) return;
  SteadyClock::time_point now = Clock();
  std::lock_guard<std::mutex> lock(mu_);
  if (cache_.size() >= options_.max_cache_entries && !cache_.count(digest)) {
    std::erase_if(cache_, [now](const auto& kv) { return kv.second.until <= now; });
    if (cache_.size() >= options_.max_cache_entries) {
      // Still full of live answers (a flood of distinct tokens): forget the older half, so
      // eviction costs O(1) per insertion on average and the cache never grows past its bound.
      std::vector<std::uint64_t> seqs;
      seqs.reserve(cache_.size());
      for (const auto& kv : cache_) seqs.push_back(kv.second.seq);
      auto mid = seqs.begin() + static_cast<std::ptrdiff_t>((seqs.size() - 1) / 2);
      std::nth_element(seqs.begin(), mid, seqs.end());
      std::uint64_t cut = *mid;
      std::erase_if(cache_, [cut](const auto& kv) { return kv.second.seq <= cut; });
    }
  }
  cache_.insert_or_assign(digest, Entry{now + ttl, next_seq_++, result});
  stats_.cached = cache_.size();
}

TokenIntrospector::Stats TokenIntrospector::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

}  // namespace tessera::resource_server
