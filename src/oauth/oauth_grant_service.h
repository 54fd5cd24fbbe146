// File: oauth_grant_service.h
// What OAuth clients do with tokens of a user: redeem an authorization code (RFC 6749
// §4.1.3 + PKCE, RFC 7636 §4.6), refresh (§6, rotation with reuse detection), introspect
// (RFC 7662), revoke (RFC 7009), read userinfo (OIDC Core §5.3), plus the ID token (§2).
//
// Each code exchange starts an "oauth" session (the grant): its access tokens carry its id
// (`sid`), its refresh tokens form one rotating family. Revoking the session — by token
// revocation, a replayed code or refresh token, the account page, a password change — makes
// every token of the grant inactive at once: introspection and userinfo check the session.
//
// Errors, as Status codes the token endpoint maps to RFC 6749 §5.2:
//   kInvalidArgument → invalid_request, kFailedPrecondition → invalid_grant,
//   kPermissionDenied → invalid_scope; kUnauthenticated (userinfo) → invalid_token.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>

#include "base/clock.h"
#include "base/metrics.h"
#include "base/result.h"
#include "tokens/access_token_service.h"
#include "accounts/account_service.h"
#include "tenancy/app_service.h"
#include "audit/audit_log.h"
#include "tokens/key_service.h"
#include "accounts/user_records.h"
#include "oauth/oauth_records.h"
#include "sessions/session_records.h"
#include "tenancy/tenancy_records.h"
#include "accounts/user_store.h"
#include "oauth/oauth_store.h"
#include "sessions/refresh_token_rotation.h"
#include "sessions/session_store.h"

namespace tessera::services {

struct OAuthGrantOptions {
  int64_t id_token_ttl_s = 3600;
  int64_t session_ttl_s = 90LL * 24 * 3600;        // absolute
};

struct GrantedTokens {
  std::string access_token;
  int64_t expires_in = 0;
  std::string scope;
  std::optional<std::string> refresh_token;  // with offline_access (and the refresh grant)
  std::optional<std::string> id_token;       // with openid
};

struct IdTokenHint {
  std::string subject;
  std::string client_id;  // aud
  std::string session_id;
};

class OAuthGrantService {
 public:
  OAuthGrantService(store::AuthorizationStore& codes, store::SessionStore& sessions,
                    store::UserStore& users, RefreshTokenRotation& refresh_tokens,
                    AppService& apps, KeyService& keys, AccessTokenService& access_tokens,
                    const Clock& clock, OAuthGrantOptions options, AuditLog* audit = nullptr)
      : codes_(codes), sessions_(sessions), users_(users), refresh_tokens_(refresh_tokens),
        apps_(apps), keys_(keys), access_tokens_(access_tokens), clock_(clock),
        options_(options), audit_(audit) {}

  // `redirect_uri` and `code_verifier` are nullopt when the request did not carry them.
  Result<GrantedTokens> ExchangeCode(const store::App& app, const store::OAuthClient& client,
                                     std::string_view code,
                                     const std::optional<std::string>& redirect_uri,
                                     const std::optional<std::string>& code_verifier);
  // `scope` narrows the grant when set (§6); it cannot widen it.
  Result<GrantedTokens> Refresh(const store::App& app, const store::OAuthClient& client,
                                std::string_view refresh_token,
                                const std::optional<std::string>& scope, const ClientInfo& info);
  // RFC 7662 §2.2: {"active": false} for anything not active (unknown, expired, revoked,
  // another app's); never an error for a bad token.
  Result<boost::json::object> Introspect(const store::App& app, std::string_view token,
                                         std::string_view token_type_hint);
  // RFC 7009 §2.2: unknown tokens and tokens of other clients are silently ignored.
  Status Revoke(const store::App& app, const store::OAuthClient& client, std::string_view token);
  // kUnauthenticated: bad or inactive token; kPermissionDenied: no openid scope.
  Result<boost::json::object> UserInfo(const store::App& app, std::string_view access_token);
  // Checks an ID token we issued (signature and issuer; expiry ignored: it is only a hint).
  Result<IdTokenHint> VerifyIdTokenHint(const store::App& app, std::string_view id_token);

 private:
  Result<GrantedTokens> IssueTokens(const store::App& app, const store::OAuthClient& client,
                                    const store::User& user, const store::Session& session,
                                    const std::vector<std::string>& scopes,
                                    std::optional<std::string> refresh_token,
                                    std::string_view nonce);
  Result<std::string> IssueIdToken(const std::string& issuer, const store::OAuthClient& client,
                                   const store::User& user, const store::Session& session,
                                   const std::vector<std::string>& scopes,
                                   std::string_view access_token, std::string_view nonce);
  Status RevokeCodeGrant(const store::App& app, const store::AuthorizationCode& code, int64_t now);
  // The user of a live session, or kFailedPrecondition.
  Result<store::User> LiveUser(const store::App& app, const store::Session& session);
  Result<boost::json::object> IntrospectAccessToken(const store::App& app, std::string_view token);
  Result<boost::json::object> IntrospectRefreshToken(const store::App& app, std::string_view token);
  bool SessionIsLive(const store::App& app, std::string_view session_id);

  store::AuthorizationStore& codes_;
  store::SessionStore& sessions_;
  store::UserStore& users_;
  RefreshTokenRotation& refresh_tokens_;
  AppService& apps_;
  KeyService& keys_;
  AccessTokenService& access_tokens_;
  const Clock& clock_;
  OAuthGrantOptions options_;
  AuditLog* audit_;  // may be null
};

}  // namespace tessera::services
