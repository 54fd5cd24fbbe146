// File: access_token_service.h
// Short-lived JWT access tokens per RFC 9068 ("JWT Profile for OAuth 2.0 Access Tokens"):
// header typ "at+jwt"; claims iss, sub, aud, exp, iat, jti, client_id, scope, plus sid (the
// session), auth_time and, for a user's token, roles (RFC 9068 §2.2.3.1). Verification accepts only asymmetric algorithms and only keys of
// the key set, each with its own algorithm (crypto/jwt.h), and checks iss and aud.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/metrics.h"
#include "base/result.h"
#include "tokens/key_service.h"
#include "tokens/verified_token_cache.h"

namespace tessera::services {

struct AccessTokenRequest {
  std::string issuer;     // {PUBLIC_URL}/apps/{slug}
  std::string audience;   // the resource: for the account API, the issuer itself
  std::string subject;    // user id
  std::string client_id;  // who the token was issued to
  std::string scope;
  std::string session_id;
  int64_t auth_time = 0;  // seconds
  int64_t ttl_seconds = 0;  // 0 = the service's default (an app's setting overrides it)
  // The user's app roles, as the `roles` claim, so a resource server can authorise "admin
  // only" without another call; nullopt for a token of no user (client credentials).
  std::optional<std::vector<std::string>> roles{};
  // RFC 8693 §4.1: who acts for the subject, a JSON object ({"sub": …, "act": {…}}); "" = none.
  std::string act_json{};
  // RFC 9449 §6.1: the thumbprint of the DPoP key the token is bound to, as cnf.jkt; "" =
  // a bearer token.
  std::string dpop_jkt{};
};

struct IssuedAccessToken {
  std::string token;
  int64_t expires_in = 0;
};

struct VerifiedAccessToken {
  std::string subject;
  std::string session_id;
  std::string client_id;
  std::string scope;
  int64_t expires_at_s = 0;
  int64_t issued_at_s = 0;
  std::string jti;  // what a revocation lists (RFC 7009 for access tokens)
  std::string audience{};  // its `aud`: the issuer, or the service a token exchange named
  std::string act_json{};  // its `act` claim as JSON; "" without one
  std::string dpop_jkt{};  // its cnf.jkt: only a proof of that key may present it; "" = bearer
};

// The scope of tokens that may call the account API (/api/me…).
inline constexpr std::string_view kAccountScope = "account";

// True when the space-separated `scope` contains `wanted`.
bool ScopeIncludes(std::string_view scope, std::string_view wanted);

class AccessTokenService {
 public:
  AccessTokenService(KeyService& keys, const Clock& clock, int64_t ttl_seconds, Metrics& metrics)
      : keys_(keys), clock_(clock), ttl_seconds_(ttl_seconds), metrics_(metrics) {}

  Result<IssuedAccessToken> Issue(const AccessTokenRequest& request);
  // `audience` "" accepts any audience (introspection, and a token exchange's subject token,
  // which may be meant for another service of the app).
  Result<VerifiedAccessToken> Verify(std::string_view token, std::string_view issuer,
                                     std::string_view audience);
  int64_t ttl_seconds() const { return ttl_seconds_; }

 private:
  KeyService& keys_;
  const Clock& clock_;
  int64_t ttl_seconds_;
  Metrics& metrics_;
  VerifiedTokenCache verified_;
};

// True when `token` has the shape of a JWS (three base64url parts): API tokens never do.
bool LooksLikeJwt(std::string_view token);

}  // namespace tessera::services
