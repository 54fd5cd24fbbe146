#include "oauth/oauth_grant_service.h"

#include <boost/json.hpp>

#include <algorithm>

#include "base/log.h"
#include "crypto/digest.h"
#include "crypto/encoding.h"
#include "crypto/jwt.h"
#include "crypto/random.h"
#include "tenancy/app_settings.h"
#include "oauth/authorization_service.h"
#include "oauth/oidc_claims.h"
#include "base/strings.h"

namespace tessera::services {
namespace json = boost::json;
namespace {

Status InvalidGrant(std::string why) { return FailedPreconditionError(std::move(why)); }

bool HasPrefix(std::string_view token, std::string_view prefix) {
  return crypto::IsSecretTokenShaped(token, prefix);
}

// RFC 7636 §4.1: 43–128 characters of [A-Za-z0-9-._~].
bool IsValidVerifier(std::string_view v) {
  return v.size() >= 43 && v.size() <= 128 && std::all_of(v.begin(), v.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' ||
                  c == '_' || c == '~';
         });
}

// OIDC Core §3.1.3.6: the left half of the hash the signing algorithm uses (SHA-256 for
// ES256/RS256; SHA-512 for Ed25519, as the OpenID Foundation's EdDSA errata settles).
std::string AtHash(std::string_view access_token, crypto::JwsAlg alg) {
  std::string digest = alg == crypto::JwsAlg::kEdDSA ? crypto::Sha512(access_token)
                                                     : crypto::Sha256(access_token);
  return crypto::Base64UrlEncode(std::string_view(digest).substr(0, digest.size() / 2));
}

std::string StringClaim(const json::object& o, std::string_view name) {
  auto it = o.find(name);
  return it != o.end() && it->value().is_string() ? std::string(it->value().as_string()) : "";
}

json::object Inactive() { return json::object{{"active", false}}; }

}  // namespace

Result<store::User> OAuthGrantService::LiveUser(const store::App& app,
                                                const store::Session& session) {
  auto user = users_.GetUser(app.id, session.user_id);
  if (user.status().IsNotFound() || (user.ok() && user->disabled)) {
    (void)sessions_.RevokeSessionById(app.id, session.id, store::RevokeReason::kUserDisabled,
                                      clock_.NowMillis());
    return InvalidGrant("the user's account is not active");
  }
  return user;
}

Result<GrantedTokens> OAuthGrantService::ExchangeCode(
    const store::App& app, const store::OAuthClient& client, std::string_view code,
    const std::optional<std::string>& redirect_uri,
    const std::optional<std::string>& code_verifier) {
  if (code.empty()) return InvalidArgumentError("code is required");
  if (!HasPrefix(code, kAuthorizationCodePrefix)) return InvalidGrant("invalid authorization code");
  int64_t now = clock_.NowMillis();
  TESSERA_ASSIGN_OR_RETURN(store::CodeRedemption r,
                           codes_.RedeemAuthorizationCode(app.id, crypto::TokenHash(code), now));
  if (r.outcome == store::CodeOutcome::kReused) {
    // RFC 6749 §4.1.2: a code used twice revokes what it was exchanged for.
    Status s = RevokeCodeGrant(app, *r.code, now);
    LogJson(spdlog::level::warn, "authorization_code_reuse_detected",
            {{"app", app.slug}, {"client_id", client.client_id}, {"user_id", r.code->user_id},
             {"session_revoked", s.ok()}});
    Audit(audit_, {.app_id = app.id,
                   .action = store::AuditAction::kOAuthCodeReuse,
                   .actor_type = store::AuditActorType::kClient,
                   .actor_id = client.client_id,
                   .subject_type = store::AuditSubjectType::kUser,
                   .subject_id = r.code->user_id,
                   .outcome = store::AuditOutcome::kFailure,
                   .details_json = boost::json::serialize(boost::json::object{
                       {"session_id", r.code->session_id}, {"session_revoked", s.ok()}})});
    return InvalidGrant("authorization code already used");
  }
  if (r.outcome != store::CodeOutcome::kConsumed) return InvalidGrant("invalid or expired authorization code");
  const store::AuthorizationCode& c = *r.code;
  if (c.client_id != client.client_id) return InvalidGrant("the code was issued to another client");
  // §4.1.3: redirect_uri must repeat the authorization request's, when that one had it.
  if (!c.redirect_uri.empty()) {
    if (!redirect_uri || *redirect_uri != c.redirect_uri) {
      return InvalidGrant("redirect_uri does not match the authorization request");
    }
  } else if (redirect_uri && (client.redirect_uris.size() != 1 ||
                              !RedirectUriMatches(client.redirect_uris[0], *redirect_uri))) {
    return InvalidGrant("redirect_uri does not match the authorization request");
  }
  // RFC 7636 §4.6; a verifier for a code issued without a challenge is a downgrade attempt
  // (RFC 9700 §2.1.1).
  if (!c.code_challenge.empty()) {
    if (!code_verifier) return InvalidGrant("code_verifier is required");
    if (!IsValidVerifier(*code_verifier)) return InvalidGrant("malformed code_verifier");
    std::string expected = crypto::Base64UrlEncode(crypto::Sha256(*code_verifier));
    if (!crypto::ConstantTimeEquals(expected, c.code_challenge)) {
      return InvalidGrant("code_verifier does not match the code_challenge");
    }
  } else if (code_verifier) {
    return InvalidGrant("code_verifier sent for a code issued without code_challenge");
  }
  store::Session session;
  session.id = c.session_id;
  session.app_id = app.id;
  session.user_id = c.user_id;
  session.kind = store::SessionKind::kOAuth;
  session.client_id = client.client_id;
  session.scope = c.scope;
  session.auth_time = c.auth_time;
  session.created_at = session.last_used_at = now;
  session.expires_at = now + options_.session_ttl_s * 1000;
  session.user_agent = client.name.substr(0, 200);
  TESSERA_ASSIGN_OR_RETURN(store::User user, LiveUser(app, session));
  std::vector<std::string> scopes = SplitScopes(c.scope);
  std::optional<std::string> refresh;
  std::optional<store::RefreshToken> first;
  if (Contains(scopes, "offline_access") && Contains(client.grant_types, "refresh_token")) {
    NewRefreshToken issued = refresh_tokens_.First(app, session);
    refresh = std::move(issued.token);
    first = std::move(issued.record);
  }
  Status created = sessions_.CreateSession(session, first);
  // A replay that raced this exchange left a tombstone under this id (RevokeCodeGrant).
  if (created.IsAlreadyExists()) return InvalidGrant("authorization code already used");
  TESSERA_RETURN_IF_ERROR(created);
  return IssueTokens(app, client, user, session, scopes, std::move(refresh), c.nonce);
}

// Revokes the grant a code was exchanged for. When the replay wins the race against the
// first exchange (whose session does not exist yet), a revoked tombstone takes the session's
// id, so that exchange fails instead of issuing tokens.
Status OAuthGrantService::RevokeCodeGrant(const store::App& app,
                                          const store::AuthorizationCode& code, int64_t now) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    Status s =
        sessions_.RevokeSessionById(app.id, code.session_id, store::RevokeReason::kCodeReuse, now);
    if (!s.IsNotFound()) return s;
    store::Session tombstone;
    tombstone.id = code.session_id;
    tombstone.app_id = app.id;
    tombstone.user_id = code.user_id;
    tombstone.kind = store::SessionKind::kOAuth;
    tombstone.client_id = code.client_id;
    tombstone.created_at = tombstone.last_used_at = now;
    tombstone.expires_at = now;  // never live
    Status t = sessions_.CreateSession(tombstone, std::nullopt);
    if (!t.IsAlreadyExists()) return t;  // else the exchange just created it: revoke it
  }
  return OkStatus();
}

Result<GrantedTokens> OAuthGrantService::Refresh(const store::App& app,
                                                 const store::OAuthClient& client,
                                                 std::string_view refresh_token,
                                                 const std::optional<std::string>& scope,
                                                 const ClientInfo& info) {
  if (refresh_token.empty()) return InvalidArgumentError("refresh_token is required");
  int64_t now = clock_.NowMillis();
  // A scope beyond the grant is refused before the token is consumed: no new token is issued
  // with the error, so the client must be able to retry with this one (which, consumed, would
  // look like a replay and revoke the grant). Only a live token of this client is checked here;
  // anything else goes on to the rotation, which refuses it (and detects replays).
  if (scope) {
    auto info = sessions_.GetRefreshToken(app.id, crypto::TokenHash(refresh_token));
    if (!info.ok() && !info.status().IsNotFound()) return info.status();
    if (info.ok() && info->session.client_id == client.client_id && !info->token.used_at &&
        info->token.expires_at > now && !info->session.revoked_at &&
        info->session.expires_at > now) {
      std::vector<std::string> granted = SplitScopes(info->session.scope);
      for (const auto& s : SplitScopes(*scope)) {
        if (!Contains(granted, s)) return PermissionDeniedError("scope exceeds the original grant: " + s);
      }
    }
  }
  auto rotated = refresh_tokens_.Rotate(app, client.client_id, refresh_token, info);
  if (rotated.status().code() == StatusCode::kUnauthenticated) {
    return InvalidGrant("invalid refresh token");
  }
  TESSERA_RETURN_IF_ERROR(rotated.status());
  const store::Session& session = rotated->session;
  std::vector<std::string> granted = SplitScopes(session.scope);
  std::vector<std::string> scopes = granted;
  if (scope) {
    scopes = SplitScopes(*scope);
    for (const auto& s : scopes) {
      if (!Contains(granted, s)) return PermissionDeniedError("scope exceeds the original grant: " + s);
    }
  }
  return IssueTokens(app, client, rotated->user, session, scopes,
                     std::move(rotated->refresh_token), "");
}

Result<GrantedTokens> OAuthGrantService::IssueTokens(const store::App& app,
                                                     const store::OAuthClient& client,
                                                     const store::User& user,
                                                     const store::Session& session,
                                                     const std::vector<std::string>& scopes,
                                                     std::optional<std::string> refresh_token,
                                                     std::string_view nonce) {
  std::string issuer = apps_.IssuerFor(app.slug);
  GrantedTokens out;
  out.scope = JoinScopes(scopes);
  int64_t auth_time = store::AuthTimeOf(session);
  TESSERA_ASSIGN_OR_RETURN(
      IssuedAccessToken at,
      access_tokens_.Issue({issuer, issuer, user.id, client.client_id, out.scope, session.id,
                            auth_time / 1000, app.settings.access_token_ttl_s}));
  out.access_token = std::move(at.token);
  out.expires_in = at.expires_in;
  out.refresh_token = std::move(refresh_token);
  if (Contains(scopes, "openid")) {
    TESSERA_ASSIGN_OR_RETURN(out.id_token, IssueIdToken(issuer, client, user, session, scopes,
                                                        out.access_token, nonce));
  }
  return out;
}

Result<std::string> OAuthGrantService::IssueIdToken(const std::string& issuer,
                                                    const store::OAuthClient& client,
                                                    const store::User& user,
                                                    const store::Session& session,
                                                    const std::vector<std::string>& scopes,
                                                    std::string_view access_token,
                                                    std::string_view nonce) {
  int64_t now = clock_.NowSeconds();
  auto keys = keys_.Current();
  const crypto::SigningKey& key = keys->keys.front();
  json::object claims = ClaimsForScopes(user, scopes);
  claims["iss"] = issuer;
  claims["aud"] = client.client_id;
  claims["azp"] = client.client_id;
  claims["iat"] = now;
  claims["exp"] = now + options_.id_token_ttl_s;
  claims["auth_time"] = store::AuthTimeOf(session) / 1000;
  claims["sid"] = session.id;
  claims["at_hash"] = AtHash(access_token, key.alg());
  if (!nonce.empty()) claims["nonce"] = nonce;
  return crypto::SignJwt(key, "JWT", claims);
}

bool OAuthGrantService::SessionIsLive(const store::App& app, std::string_view session_id) {
  auto s = sessions_.GetSession(app.id, session_id);
  return s.ok() && !s->revoked_at && s->expires_at > clock_.NowMillis();
}

Result<json::object> OAuthGrantService::Introspect(const store::App& app, std::string_view token,
                                                   std::string_view /*hint: both are tried*/) {
  if (HasPrefix(token, kRefreshTokenPrefix)) return IntrospectRefreshToken(app, token);
  if (LooksLikeJwt(token)) return IntrospectAccessToken(app, token);
  return Inactive();
}

Result<json::object> OAuthGrantService::IntrospectAccessToken(const store::App& app,
                                                              std::string_view token) {
  std::string issuer = apps_.IssuerFor(app.slug);
  auto v = access_tokens_.Verify(token, issuer, issuer);
  if (!v.ok()) return Inactive();
  if (!v->session_id.empty() && !SessionIsLive(app, v->session_id)) return Inactive();
  json::object out{{"active", true},         {"token_type", "Bearer"},
                   {"client_id", v->client_id}, {"sub", v->subject},
                   {"iss", issuer},          {"aud", issuer},
                   {"exp", v->expires_at_s}, {"iat", v->issued_at_s}};
  if (!v->scope.empty()) out["scope"] = v->scope;
  if (!v->session_id.empty()) out["sid"] = v->session_id;
  return out;
}

Result<json::object> OAuthGrantService::IntrospectRefreshToken(const store::App& app,
                                                               std::string_view token) {
  auto info = sessions_.GetRefreshToken(app.id, crypto::TokenHash(token));
  if (info.status().IsNotFound()) return Inactive();
  TESSERA_RETURN_IF_ERROR(info.status());
  int64_t now = clock_.NowMillis();
  const store::Session& s = info->session;
  if (info->token.used_at || info->token.expires_at <= now || s.revoked_at || s.expires_at <= now) {
    return Inactive();
  }
  json::object out{{"active", true},
                   {"token_type", "refresh_token"},
                   {"client_id", s.client_id.empty() ? std::string(store::kAccountApiClientId) : s.client_id},
                   {"sub", s.user_id},
                   {"iss", apps_.IssuerFor(app.slug)},
                   {"exp", info->token.expires_at / 1000},
                   {"iat", info->token.created_at / 1000},
                   {"sid", s.id}};
  if (!s.scope.empty()) out["scope"] = s.scope;
  return out;
}

Status OAuthGrantService::Revoke(const store::App& app, const store::OAuthClient& client,
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
    if (!v.ok() || v->client_id != client.client_id || v->session_id.empty()) return OkStatus();
    session_id = v->session_id;
  } else {
    return OkStatus();
  }
  Status s = sessions_.RevokeSessionById(app.id, session_id, store::RevokeReason::kTokenRevoked,
                                         clock_.NowMillis());
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

Result<json::object> OAuthGrantService::UserInfo(const store::App& app,
                                                 std::string_view access_token) {
  std::string issuer = apps_.IssuerFor(app.slug);
  TESSERA_ASSIGN_OR_RETURN(VerifiedAccessToken v, access_tokens_.Verify(access_token, issuer, issuer));
  // Client-credentials tokens have no user (and no session): nothing to tell.
  if (v.session_id.empty()) return UnauthenticatedError("the token does not belong to a user");
  if (!ScopeIncludes(v.scope, "openid")) {
    return PermissionDeniedError("the token was not granted the openid scope");
  }
  if (!SessionIsLive(app, v.session_id)) return UnauthenticatedError("the token was revoked");
  auto user = users_.GetUser(app.id, v.subject);
  if (user.status().IsNotFound() || (user.ok() && user->disabled)) {
    return UnauthenticatedError("the user's account is not active");
  }
  TESSERA_RETURN_IF_ERROR(user.status());
  return ClaimsForScopes(*user, SplitScopes(v.scope));
}

Result<IdTokenHint> OAuthGrantService::VerifyIdTokenHint(const store::App& app,
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
