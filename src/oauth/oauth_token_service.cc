#include "oauth/oauth_token_service.h"

#include <boost/json.hpp>

#include "crypto/digest.h"
#include "crypto/jwt.h"
#include "crypto/random.h"
#include "oauth/oidc_claims.h"
#include "sessions/refresh_token_rotation.h"
#include "tokens/authenticator.h"

namespace tessera::services {
namespace json = boost::json;
namespace {

bool HasPrefix(std::string_view token, std::string_view prefix) {
  return crypto::IsSecretTokenShaped(token, prefix);
}

std::string StringClaim(const json::object& o, std::string_view name) {
  auto it = o.find(name);
  return it != o.end() && it->value().is_string() ? std::string(it->value().as_string()) : "";
}

json::object Inactive() { return json::object{{"active", false}}; }

}  // namespace

Result<bool> OAuthTokenService::AccessTokenIsLive(const store::App& app,
                                                  const VerifiedAccessToken& v,
                                                  store::User* user_out) {
  if (!v.session_id.empty()) {
    // A user's token ends with its grant (revoked client, code replay, sign-out…), its own
    // revocation, or its account: the account API's rule (tokens/authenticator.h).
    auto user = UserOfLiveAccessToken(users_, app, v, clock_.NowMillis());
    if (user.status().code() == StatusCode::kUnauthenticated) return false;
    TESSERA_RETURN_IF_ERROR(user.status());
    if (user_out) *user_out = std::move(*user);
    return true;
  }
  // A client's own token (client_credentials) ends with the client, or its revocation.
  auto client = clients_.GetClient(app.id, v.client_id);
  if (client.status().IsNotFound()) return false;
  TESSERA_RETURN_IF_ERROR(client.status());
  if (v.jti.empty()) return true;
  TESSERA_ASSIGN_OR_RETURN(bool revoked, revoked_.IsAccessTokenRevoked(app.id, v.jti));
  return !revoked;
}

Result<json::object> OAuthTokenService::Introspect(const store::App& app,
                                                   const store::OAuthClient& caller,
                                                   std::string_view token,
                                                   std::string_view /*hint: both are tried*/) {
  if (HasPrefix(token, kRefreshTokenPrefix)) return IntrospectRefreshToken(app, caller, token);
  if (LooksLikeJwt(token)) return IntrospectAccessToken(app, caller, token);
  if (LooksLikeApiToken(token)) return IntrospectApiToken(app, caller, token);
  return Inactive();
}

Result<json::object> OAuthTokenService::IntrospectApiToken(const store::App& app,
                                                           const store::OAuthClient& caller,
                                                           std::string_view token) {
  // API tokens belong to users, not to clients: only a resource server may look at them.
  if (!caller.resource_server || !api_tokens_) return Inactive();
  auto record = api_tokens_->Authenticate(app, token);
  if (record.status().code() == StatusCode::kUnauthenticated) return Inactive();
  TESSERA_RETURN_IF_ERROR(record.status());
  auto user = users_.GetUser(app.id, record->user_id);
  if (user.status().IsNotFound() || (user.ok() && user->disabled)) return Inactive();
  TESSERA_RETURN_IF_ERROR(user.status());
  json::array roles;
  for (const std::string& r : user->roles) roles.emplace_back(r);
  json::object out{{"active", true},
                   {"token_type", "api_token"},
                   {"sub", user->id},
                   {"scope", kAccountScope},
                   {"iss", apps_.IssuerFor(app.slug)},
                   {"iat", record->created_at / 1000},
                   {"email", user->email},
                   {"email_verified", user->email_verified},
                   {"roles", std::move(roles)}};
  if (user->username) out["username"] = *user->username;
  if (record->expires_at) out["exp"] = *record->expires_at / 1000;
  return out;
}

Result<VerifiedAccessToken> OAuthTokenService::ActiveAccessToken(const store::App& app,
                                                                 std::string_view token,
                                                                 store::User* user_out) {
  TESSERA_ASSIGN_OR_RETURN(VerifiedAccessToken v,
                           access_tokens_.Verify(token, apps_.IssuerFor(app.slug), ""));
  TESSERA_ASSIGN_OR_RETURN(bool live, AccessTokenIsLive(app, v, user_out));
  if (!live) return UnauthenticatedError("the token is no longer active");
  return v;
}

Result<json::object> OAuthTokenService::IntrospectAccessToken(const store::App& app,
                                                              const store::OAuthClient& caller,
                                                              std::string_view token) {
  std::string issuer = apps_.IssuerFor(app.slug);
  // Any audience of the app: a token exchange may have made it for one of the app's services.
  auto v = access_tokens_.Verify(token, issuer, "");
  if (!v.ok()) return Inactive();
  // Someone else's token looks like an unknown one (RFC 7662 §2.2 allows no more).
  if (v->client_id != caller.client_id && !caller.resource_server) return Inactive();
  store::User user;
  TESSERA_ASSIGN_OR_RETURN(bool live, AccessTokenIsLive(app, *v, &user));
  if (!live) return Inactive();
  json::object out{{"active", true},
                   {"token_type", v->dpop_jkt.empty() ? "Bearer" : "DPoP"},
                   {"client_id", v->client_id}, {"sub", v->subject},
                   {"iss", issuer},          {"aud", v->audience},
                   {"exp", v->expires_at_s}, {"iat", v->issued_at_s}};
  if (!v->scope.empty()) out["scope"] = v->scope;
  if (!v->act_json.empty()) out["act"] = json::parse(v->act_json);  // RFC 8693 §4.1
  // RFC 9449 §6.2: the resource server checks the proof against this key.
  if (!v->dpop_jkt.empty()) out["cnf"] = json::object{{"jkt", v->dpop_jkt}};
  if (!v->session_id.empty()) {
    out["sid"] = v->session_id;
    // The user's roles as they are now (a resource server asking may act on a change at once).
    json::array roles;
    for (const std::string& r : user.roles) roles.emplace_back(r);
    out["roles"] = std::move(roles);
  }
  return out;
}

Result<json::object> OAuthTokenService::IntrospectRefreshToken(const store::App& app,
                                                               const store::OAuthClient& caller,
                                                               std::string_view token) {
  auto info = sessions_.GetRefreshToken(app.id, crypto::TokenHash(token));
  if (info.status().IsNotFound()) return Inactive();
  TESSERA_RETURN_IF_ERROR(info.status());
  // Only the client holding a refresh token has any business with it: no resource server,
  // and no client for the account API's own (client_id "") refresh tokens.
  if (info->session.client_id != caller.client_id) return Inactive();
  int64_t now = clock_.NowMillis();
  const store::Session& s = info->session;
  if (info->token.used_at || info->token.expires_at <= now || s.revoked_at || s.expires_at <= now) {
    return Inactive();
  }
  json::object out{{"active", true},
                   {"token_type", "refresh_token"},
                   {"client_id", s.client_id.empty() ? std::string(store::kAccountApiClientId) : s.client_id},
                   {"sub", subjects_.For(caller, s.user_id)},
                   {"iss", apps_.IssuerFor(app.slug)},
                   {"exp", info->token.expires_at / 1000},
                   {"iat", info->token.created_at / 1000},
                   {"sid", s.id}};
  if (!s.scope.empty()) out["scope"] = s.scope;
  return out;
}

Status OAuthTokenService::Revoke(const store::App& app, const store::OAuthClient& client,
                                 std::string_view token) {
  std::string session_id;
  if (HasPrefix(token, kRefreshTokenPrefix)) {
    auto info = sessions_.GetRefreshToken(app.id, crypto::TokenHash(token));
    if (info.status().IsNotFound()) return OkStatus();
    TESSERA_RETURN_IF_ERROR(info.status());
    if (info->session.client_id != client.client_id) return OkStatus();
    session_id = info->session.id;
  } else if (LooksLikeJwt(token)) {
    std::string issuer = apps_.IssuerFor(app.slug);
    auto v = access_tokens_.Verify(token, issuer, issuer);
    if (!v.ok() || v->client_id != client.client_id) return OkStatus();
    // The token itself is refused from now on, whatever else ends with it.
    if (!v->jti.empty()) {
      TESSERA_RETURN_IF_ERROR(revoked_.AddRevokedAccessToken(app.id, v->jti, v->expires_at_s * 1000));
    }
    if (v->session_id.empty()) {
      Audit(audit_, {.app_id = app.id,
                     .action = store::AuditAction::kOAuthTokenRevoked,
                     .actor_type = store::AuditActorType::kClient,
                     .actor_id = client.client_id,
                     .subject_type = store::AuditSubjectType::kOAuthClient,
                     .subject_id = client.client_id});
      return OkStatus();
    }
    // RFC 7009 §2.1 lets the grant end with its access token: a client revoking what it holds
    // is done with the grant (the refresh token goes too).
    session_id = v->session_id;
  } else {
    return OkStatus();
  }
  Status s = sessions_.RevokeSessionById(app.id, session_id, store::RevokeReason::kTokenRevoked, clock_.NowMillis());
  if (s.ok()) {
    Audit(audit_, {.app_id = app.id,
                   .action = store::AuditAction::kOAuthTokenRevoked,
                   .actor_type = store::AuditActorType::kClient,
                   .actor_id = client.client_id,
                   .subject_type = store::AuditSubjectType::kSession,
                   .subject_id = session_id});
  }
  return s.IsNotFound() ? OkStatus() : s;
}

Status OAuthTokenService::CheckPresentation(const store::App& app, const VerifiedAccessToken& v,
                                            std::string_view access_token,
                                            const TokenPresentation& presented) {
  if (!presented.dpop_scheme) {
    if (!v.dpop_jkt.empty()) {
      return UnauthenticatedError("the token is DPoP-bound: present it with the DPoP scheme");
    }
    return OkStatus();
  }
  if (!app.settings.dpop || dpop_ == nullptr) {
    return UnauthenticatedError("DPoP is off for this app");
  }
  if (presented.proofs.size() != 1) {
    return InvalidArgumentError("exactly one DPoP proof is required");
  }
  auto proof = dpop_->Check(app, {presented.proofs[0], presented.method, presented.url,
                                  access_token});
  if (!proof.ok()) {
    if (proof.status().code() == StatusCode::kUnauthenticated) {
      return InvalidArgumentError(proof.status().message());
    }
    return proof.status();
  }
  if (v.dpop_jkt.empty()) return UnauthenticatedError("the token is not DPoP-bound");
  if (v.dpop_jkt != proof->jkt) {
    return UnauthenticatedError("the token is bound to another key than the proof's");
  }
  return OkStatus();
}

Result<json::object> OAuthTokenService::UserInfo(const store::App& app,
                                                 std::string_view access_token,
                                                 const TokenPresentation& presented) {
  // Every kUnauthenticated answered says only what the client may know: why a signature or a
  // grant failed stays here.
  const Status inactive = UnauthenticatedError("the access token is invalid, expired or revoked");
  std::string issuer = apps_.IssuerFor(app.slug);
  auto v = access_tokens_.Verify(access_token, issuer, issuer);
  if (!v.ok()) return v.status().code() == StatusCode::kUnauthenticated ? inactive : v.status();
  // After the signature, so only holders of a real token get a proof recorded.
  TESSERA_RETURN_IF_ERROR(CheckPresentation(app, *v, access_token, presented));
  // Client-credentials tokens have no user (and no session): nothing to tell.
  if (v->session_id.empty()) return UnauthenticatedError("the token does not belong to a user");
  if (!ScopeIncludes(v->scope, "openid")) {
    return PermissionDeniedError("the token was not granted the openid scope");
  }
  auto user = UserOfLiveAccessToken(users_, app, *v, clock_.NowMillis());
  if (!user.ok()) return user.status().code() == StatusCode::kUnauthenticated ? inactive : user.status();
  json::object claims = ClaimsForScopes(*user, SplitScopes(v->scope));
  // The token's sub is the one its client knows the user by (pairwise or public), as in its
  // ID token (OIDC Core §5.3.2: they must be the same).
  claims["sub"] = v->subject;
  return claims;
}

Result<IdTokenHint> OAuthTokenService::VerifyIdTokenHint(const store::App& app,
                                                         std::string_view id_token) {
  if (id_token.size() > crypto::kMaxJwtSize || !LooksLikeJwt(id_token)) {
    return UnauthenticatedError("malformed id_token_hint");
  }
  auto keys = keys_.Current();
  crypto::JwtVerifyOptions opt;
  opt.allowed_algs = {crypto::JwsAlg::kES256, crypto::JwsAlg::kEdDSA, crypto::JwsAlg::kRS256};
  opt.typ = "JWT";
  opt.issuer = apps_.IssuerFor(app.slug);
  opt.now_seconds = clock_.NowSeconds();
  opt.allow_expired = true;
  auto lookup = [&keys](std::string_view kid) { return keys->Find(kid); };
  TESSERA_ASSIGN_OR_RETURN(json::object claims, crypto::VerifyJwt(id_token, lookup, opt));
  IdTokenHint hint{StringClaim(claims, "sub"), StringClaim(claims, "aud"), StringClaim(claims, "sid")};
  if (hint.subject.empty() || hint.client_id.empty()) {
    return UnauthenticatedError("id_token_hint lacks sub or aud");
  }
  return hint;
}

}  // namespace tessera::services
