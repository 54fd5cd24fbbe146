#include "tokens/authenticator.h"

#include "base/auth_scheme.h"

namespace tessera::services {

Result<store::User> UserOfLiveAccessToken(store::UserStore& users, const store::App& app,
                                          const VerifiedAccessToken& token, UnixMillis now) {
  // By the session the signed token names: its `sub` may be pairwise (OIDC Core §8.1).
  auto user = users.GetUserOfLiveToken(app.id, token.session_id, token.jti, now);
  if (user.status().IsNotFound() || (user.ok() && user->disabled)) {
    return UnauthenticatedError("the token was revoked or its account is not active");
  }
  return user;
}

Result<Principal> Authenticator::Authenticate(const store::App& app, std::string_view header) {
  auto bearer = AuthCredentials(header, "bearer");
  auto drf_token = AuthCredentials(header, "token");  // DRF's "Token …" scheme
  bool token_scheme = drf_token.has_value();
  std::string_view token = bearer.value_or(drf_token.value_or(""));
  if (token.empty()) return UnauthenticatedError("missing credentials");
  Principal p;
  if (LooksLikeApiToken(token)) {
    TESSERA_ASSIGN_OR_RETURN(store::ApiToken t, api_tokens_.Authenticate(app, token));
    p.api_token_id = t.id;
    auto user = users_.GetUser(app.id, t.user_id);
    if (user.status().IsNotFound() || (user.ok() && user->disabled)) {
      return UnauthenticatedError("invalid token");
    }
    TESSERA_RETURN_IF_ERROR(user.status());
    p.user = std::move(*user);
    return p;
  }
  if (token_scheme || !LooksLikeJwt(token)) return UnauthenticatedError("invalid token");
  std::string issuer = apps_.IssuerFor(app.slug);
  TESSERA_ASSIGN_OR_RETURN(VerifiedAccessToken v, access_tokens_.Verify(token, issuer, issuer));
  // Tokens that OAuth clients got for a user (openid, profile…) do not open the account
  // API: only tokens carrying the "account" scope do (account-API logins, or a client
  // explicitly granted it).
  if (!ScopeIncludes(v.scope, kAccountScope)) return UnauthenticatedError("invalid token");
  // A DPoP-bound token (RFC 9449) is worth nothing without a proof of its key, and the
  // account API takes bearer tokens only: as a bearer token it is refused.
  if (!v.dpop_jkt.empty()) return UnauthenticatedError("invalid token");
  auto user = UserOfLiveAccessToken(users_, app, v, clock_.NowMillis());
  if (user.status().code() == StatusCode::kUnauthenticated) {
    return UnauthenticatedError("invalid token");
  }
  TESSERA_RETURN_IF_ERROR(user.status());
  p.session_id = v.session_id;
  p.user = std::move(*user);
  return p;
}

}  // namespace tessera::services
