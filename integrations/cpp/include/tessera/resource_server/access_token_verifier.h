// File: access_token_verifier.h
// Checks a Tessera access token (an RFC 9068 JWT) the way a resource server must:
//
//   header  typ "at+jwt" (or "application/at+jwt", any case); alg RS256, ES256 or EdDSA
//           (none and HS* are refused before any key is looked at); kid names a key of the
//           issuer's JWKS that fits the alg; no "crit".
//   sig     checked with OpenSSL against that key.
//   claims  iss equals the expected issuer exactly; aud (a string or an array) contains the
//           expected audience (Tessera: the issuer); exp in the future, nbf (if any) reached
//           and iat not in the future, each with `leeway`; sub, client_id and jti present
//           (RFC 9068 §2.2); client_id among `allowed_client_ids` when that list is set.
//
// A Tessera deployment shares its signing keys between apps, so only iss (and aud) tells a
// token of another app apart: the issuer check is what keeps them out.
//
// Note: local verification cannot see a revoked token before it expires (Tessera's access
// tokens live 10 minutes by default); where that matters, ask Tessera's introspection
// endpoint.
#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "tessera/resource_server/key_source.h"
#include "tessera/resource_server/public_key.h"

namespace tessera::resource_server {

struct VerifierOptions {
  std::string issuer;    // required: {PUBLIC_URL}/apps/{slug}, compared exactly
  std::string audience;  // default (empty): the issuer, which is Tessera's aud
  std::set<Algorithm> algorithms{Algorithm::kRS256, Algorithm::kES256, Algorithm::kEdDSA};
  std::chrono::seconds leeway{60};
  std::vector<std::string> allowed_client_ids;  // empty: tokens of any client of the app
  std::size_t max_token_bytes = 16 * 1024;
  // Unix time in seconds (tests pin it); default the system clock.
  std::function<std::int64_t()> now;
};

struct VerifiedToken {
  std::string issuer;
  std::string subject;    // sub: the user's id (or the client's, for client credentials)
  std::string client_id;  // the OAuth client the token was issued to
  std::string token_id;   // jti
  std::set<std::string> scopes;
  std::set<std::string> roles;  // the user's app roles (Tessera's "roles" claim)
  std::int64_t issued_at = 0;
  std::int64_t expires_at = 0;
  boost::json::object claims;  // every claim, as sent

  bool HasScope(std::string_view scope) const { return scopes.count(std::string(scope)) > 0; }
  bool HasRole(std::string_view role) const { return roles.count(std::string(role)) > 0; }
};

enum class VerifyErrorCode {
  kMalformed,             // not a compact JWS with JSON header and claims, or too large
  kUnsupportedAlgorithm,  // none, HS256, or an algorithm not allowed here
  kWrongType,             // typ is not at+jwt
  kUnknownKey,            // no key with that kid fits the alg (after a refetch)
  kKeysUnavailable,       // the key set could not be fetched: not the token's fault
  kBadSignature,
  kWrongIssuer,
  kWrongAudience,
  kExpired,
  kNotYetValid,           // nbf in the future
  kIssuedInFuture,        // iat in the future
  kMissingClaim,          // sub, client_id, jti, exp, iat … missing or of the wrong type
  kClientNotAllowed,      // client_id not among allowed_client_ids
  // TokenIntrospector (token_introspector.h), for opaque tokens:
  kInactive,                  // Tessera answered {"active": false}: unknown, revoked, expired
  kIntrospectionUnavailable,  // no usable answer (network, timeout, HTTP error, bad JSON): not
                              // the token's fault
};

std::string_view ErrorCodeName(VerifyErrorCode code);

struct VerifyError {
  VerifyErrorCode code;
  std::string reason;  // a sentence for logs; safe to return to the caller
  // Tessera (its keys or its introspection endpoint) could not be asked: say so (503), never
  // "your token is bad" (401), or a client would drop a good token during an outage.
  bool unavailable() const {
    return code == VerifyErrorCode::kKeysUnavailable ||
           code == VerifyErrorCode::kIntrospectionUnavailable;
  }
  // 503 when unavailable, else 401 (RFC 6750 invalid_token).
  int http_status() const { return unavailable() ? 503 : 401; }
};

// Either a VerifiedToken or a VerifyError.
class VerifyResult {
 public:
  VerifyResult(VerifiedToken token) : v_(std::move(token)) {}  // NOLINT: implicit on purpose
  VerifyResult(VerifyError error) : v_(std::move(error)) {}    // NOLINT
  bool ok() const { return std::holds_alternative<VerifiedToken>(v_); }
  explicit operator bool() const { return ok(); }
  const VerifiedToken& value() const { return std::get<VerifiedToken>(v_); }
  VerifiedToken& value() { return std::get<VerifiedToken>(v_); }
  const VerifiedToken* operator->() const { return &value(); }
  const VerifyError& error() const { return std::get<VerifyError>(v_); }

 private:
  std::variant<VerifiedToken, VerifyError> v_;
};

class AccessTokenVerifier {
 public:
  // Throws std::invalid_argument without an issuer, a key source or any allowed algorithm.
  AccessTokenVerifier(VerifierOptions options, std::shared_ptr<KeySource> keys);
  // Thread-safe.
  VerifyResult Verify(std::string_view token) const;
  const VerifierOptions& options() const { return options_; }

 private:
  VerifierOptions options_;
  std::shared_ptr<KeySource> keys_;
};

// Free-standing helpers for code that holds a token.
inline bool HasScope(const VerifiedToken& t, std::string_view scope) { return t.HasScope(scope); }
inline bool HasRole(const VerifiedToken& t, std::string_view role) { return t.HasRole(role); }

}  // namespace tessera::resource_server
