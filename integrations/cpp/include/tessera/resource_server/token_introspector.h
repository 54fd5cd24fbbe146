// File: token_introspector.h
// Asks Tessera about a token it cannot check locally — an API token (`tpat_…`), or a key
// brought over from the old Django backend by `tessera import django` (DRF's 40 hex, a custom
// model's 64 hex) — at the app's RFC 7662 introspection endpoint, `{issuer}/oauth/introspect`.
//
// - The client authenticates with client_secret_basic (RFC 6749 §2.3.1: id and secret
//   form-encoded, then base64). Tessera tells only a client registered as a resource server
//   (`tessera admin create-client --resource-server`) about API tokens; any other client hears
//   {"active": false} for every one of them.
// - Accepted is only an answer {"active": true} whose `iss` is the expected issuer (Tessera's
//   apps share one introspection code; the issuer keeps another app's tokens out), with a
//   `sub`, a `token_type` among `allowed_token_types` (when set) and an `exp` (if any) in the
//   future.
// - "Tessera could not be asked" (connection, timeout, an HTTP status other than 200, an
//   answer that is not an introspection answer) is kIntrospectionUnavailable — 503 at the API,
//   never 401: a client must not throw away a good token because Tessera was down.
// - Answers are cached by the SHA-256 of the token (the cache never holds a token itself): an
//   accepted one for `cache_ttl`, never past its `exp`; a refusal for `inactive_cache_ttl`;
//   "unavailable" not at all. A token revoked in Tessera is thus accepted for up to
//   `cache_ttl` more. The cache holds at most `max_cache_entries`.
//
// Thread-safe. A lookup that is not cached blocks its thread for up to `request_timeout`;
// concurrent lookups of the same uncached token each ask.
#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>

#include "tessera/resource_server/access_token_verifier.h"

namespace tessera::resource_server {

struct IntrospectorOptions {
  std::string issuer;             // required: {PUBLIC_URL}/apps/{slug}, compared with `iss` exactly
  std::string introspection_url;  // default (empty): UrlForIssuer(issuer)
  std::string client_id;          // required: a confidential client with --resource-server
  std::string client_secret;      // required
  // Token types accepted (Tessera's: "api_token" for API tokens and imported keys, "Bearer"
  // for access tokens); empty: any.
  std::set<std::string> allowed_token_types;
  std::chrono::seconds cache_ttl{30};          // an accepted token; 0: no caching
  std::chrono::seconds inactive_cache_ttl{5};  // a refused one (at most cache_ttl)
  std::size_t max_cache_entries = 10000;
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds request_timeout{5000};
  std::size_t max_response_bytes = 64 * 1024;
  std::size_t max_token_bytes = 16 * 1024;  // longer tokens are refused without a call
  bool allow_insecure_http = false;         // http:// to a host that is not loopback
  std::string ca_file;                      // CA bundle for https (default: the system's)
  // Time sources (tests move them on): the cache's, default std::chrono::steady_clock::now;
  // Unix time in seconds for `exp`, default the system clock.
  std::function<std::chrono::steady_clock::time_point()> clock;
  std::function<std::int64_t()> now;
};

struct IntrospectedToken {
  std::string issuer;
  std::string subject;     // sub: the user's id (or a client's)
  std::string token_type;  // "api_token" for API tokens and imported keys
  std::string client_id;   // when the answer names one (access tokens), else empty
  std::string email;       // API tokens: the user's address, when the answer has one
  std::string username;    // API tokens: when the user has one
  std::set<std::string> scopes;
  std::set<std::string> roles;  // the user's app roles, as they are now
  std::int64_t issued_at = 0;             // 0 when the answer has no iat
  std::optional<std::int64_t> expires_at;  // none: a token that does not expire
  boost::json::object claims;  // the whole answer, as sent

  bool HasScope(std::string_view scope) const { return scopes.count(std::string(scope)) > 0; }
  bool HasRole(std::string_view role) const { return roles.count(std::string(role)) > 0; }
};

// Either an IntrospectedToken or a VerifyError: kInactive, kWrongIssuer, kWrongType,
// kExpired, kMissingClaim (no sub), kMalformed (a token refused without a call) or
// kIntrospectionUnavailable (http_status() 503).
class IntrospectionResult {
 public:
  IntrospectionResult(IntrospectedToken token) : v_(std::move(token)) {}  // NOLINT: implicit on purpose
  IntrospectionResult(VerifyError error) : v_(std::move(error)) {}        // NOLINT
  bool ok() const { return std::holds_alternative<IntrospectedToken>(v_); }
  explicit operator bool() const { return ok(); }
  const IntrospectedToken& value() const { return std::get<IntrospectedToken>(v_); }
  IntrospectedToken& value() { return std::get<IntrospectedToken>(v_); }
  const IntrospectedToken* operator->() const { return &value(); }
  const VerifyError& error() const { return std::get<VerifyError>(v_); }

 private:
  std::variant<IntrospectedToken, VerifyError> v_;
};

class TokenIntrospector {
 public:
  // Throws std::invalid_argument without an issuer, client id or secret, for a URL that is
  // not http(s), or plain http to a host that is not loopback without allow_insecure_http.
  explicit TokenIntrospector(IntrospectorOptions options);

  // `{issuer}/oauth/introspect` (a trailing slash of the issuer is dropped).
  static std::string UrlForIssuer(std::string_view issuer);
  // The value of `Authorization` for client_secret_basic (RFC 6749 §2.3.1).
  static std::string BasicCredentials(std::string_view client_id, std::string_view client_secret);

  IntrospectionResult Introspect(std::string_view token);

  struct Stats {
    std::uint64_t requests = 0;    // calls to the endpoint
    std::uint64_t failures = 0;    // calls without a usable answer
    std::uint64_t cache_hits = 0;
    std::size_t cached = 0;        // entries in the cache now
    std::string last_error;
  };
  Stats stats() const;

 private:
  struct Entry {
    std::chrono::steady_clock::time_point until;
    std::uint64_t seq;  // insertion order, for eviction
    IntrospectionResult result;
  };
  IntrospectionResult Ask(std::string_view token);
  IntrospectionResult Judge(const boost::json::object& answer) const;
  void Remember(const std::string& digest, const IntrospectionResult& result);
  std::chrono::steady_clock::time_point Clock() const;
  std::int64_t UnixNow() const;

  IntrospectorOptions options_;
  std::string authorization_;  // "Authorization: Basic …"
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> cache_;  // SHA-256 of the token → answer
  std::uint64_t next_seq_ = 0;
  Stats stats_;
};

// Free-standing helpers for code that holds a token.
inline bool HasScope(const IntrospectedToken& t, std::string_view scope) { return t.HasScope(scope); }
inline bool HasRole(const IntrospectedToken& t, std::string_view role) { return t.HasRole(role); }

}  // namespace tessera::resource_server
