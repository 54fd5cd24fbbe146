#include "oauth/token_issuer.h"

#include "oauth/acr.h"

#include <boost/json.hpp>

#include <algorithm>

#include "base/strings.h"
#include "crypto/digest.h"
#include "crypto/encoding.h"
#include "crypto/jwt.h"
#include "crypto/random.h"
#include "oauth/oidc_claims.h"
#include "tenancy/app_settings.h"

namespace tessera::services {
namespace {

// OIDC Core §3.1.3.6: the left half of the hash the signing algorithm uses (SHA-256 for
// ES256/RS256; SHA-512 for Ed25519, as the OpenID Foundation's EdDSA errata settles).
std::string AtHash(std::string_view access_token, crypto::JwsAlg alg) {
  std::string digest = alg == crypto::JwsAlg::kEdDSA ? crypto::Sha512(access_token)
                                                     : crypto::Sha256(access_token);
  return crypto::Base64UrlEncode(std::string_view(digest).substr(0, digest.size() / 2));
}

}  // namespace

Result<GrantedTokens> TokenIssuer::ForUser(const store::App& app, const store::OAuthClient& client,
                                           const store::User& user, const store::Session& session,
                                           const std::vector<std::string>& scopes,
                                           std::optional<std::string> refresh_token,
                                           std::string_view nonce, std::string_view dpop_jkt) {
  std::string issuer = apps_.IssuerFor(app.slug);
  GrantedTokens out;
  out.scope = JoinScopes(scopes);
  int64_t auth_time = store::AuthTimeOf(session);
  AccessTokenRequest r{issuer,           issuer,     subjects_.For(client, user.id),
                       client.client_id, out.scope, session.id,
                       auth_time / 1000, app.settings.access_token_ttl_s, user.roles};
  r.dpop_jkt = std::string(dpop_jkt);
  TESSERA_ASSIGN_OR_RETURN(IssuedAccessToken at, access_tokens_.Issue(r));
  out.dpop_bound = !dpop_jkt.empty();
  out.access_token = std::move(at.token);
  out.expires_in = at.expires_in;
  out.refresh_token = std::move(refresh_token);
  if (Contains(scopes, "openid")) {
    TESSERA_ASSIGN_OR_RETURN(out.id_token, IdToken(issuer, client, user, session, scopes,
                                                   out.access_token, nonce));
  }
  return out;
}

Result<GrantedTokens> TokenIssuer::ForExchange(const store::App& app,
                                               const store::OAuthClient& client,
                                               const store::User& user,
                                               const VerifiedAccessToken& subject,
                                               const std::string& audience,
                                               const std::string& scope,
                                               const std::string& act_json,
                                               std::string_view dpop_jkt) {
  int64_t ttl = store::AppOr(app.settings.access_token_ttl_s, access_tokens_.ttl_seconds());
  int64_t left = subject.expires_at_s - clock_.NowSeconds();
  if (left <= 0) return UnauthenticatedError("the subject token has expired");
  AccessTokenRequest r{apps_.IssuerFor(app.slug), audience, subjects_.For(client, user.id),
                       client.client_id, scope,
                       subject.session_id, 0, std::min(ttl, left), user.roles};
  r.act_json = act_json;
  r.dpop_jkt = std::string(dpop_jkt);
  TESSERA_ASSIGN_OR_RETURN(IssuedAccessToken at, access_tokens_.Issue(r));
  GrantedTokens out;
  out.dpop_bound = !dpop_jkt.empty();
  out.access_token = std::move(at.token);
  out.expires_in = at.expires_in;
  out.scope = scope;
  out.issued_token_type = std::string(kAccessTokenType);
  return out;
}

Result<GrantedTokens> TokenIssuer::ForClient(const store::App& app,
                                             const store::OAuthClient& client,
                                             const std::string& scope,
                                             std::string_view dpop_jkt) {
  std::string issuer = apps_.IssuerFor(app.slug);
  AccessTokenRequest r{issuer, issuer, client.client_id, client.client_id, scope, "", 0,
                       app.settings.access_token_ttl_s};
  r.dpop_jkt = std::string(dpop_jkt);
  TESSERA_ASSIGN_OR_RETURN(IssuedAccessToken at, access_tokens_.Issue(r));
  GrantedTokens out;
  out.dpop_bound = !dpop_jkt.empty();
  out.access_token = std::move(at.token);
  out.expires_in = at.expires_in;
  out.scope = scope;
  return out;
}

Result<std::string> TokenIssuer::IdToken(const std::string& issuer,
                                         const store::OAuthClient& client,
                                         const store::User& user, const store::Session& session,
                                         const std::vector<std::string>& scopes,
                                         std::string_view access_token, std::string_view nonce) {
  int64_t now = clock_.NowSeconds();
  auto keys = keys_.Current();
  TESSERA_ASSIGN_OR_RETURN(const crypto::SigningKey* signer, ClientSigner(*keys, client));
  const crypto::SigningKey& key = *signer;
  boost::json::object claims = ClaimsForScopes(user, scopes);
  claims["sub"] = subjects_.For(client, user.id);  // OIDC Core §8: pairwise or public
  claims["iss"] = issuer;
  claims["aud"] = client.client_id;
  claims["azp"] = client.client_id;
  claims["iat"] = now;
  claims["exp"] = now + options_.id_token_ttl_s;
  claims["auth_time"] = store::AuthTimeOf(session) / 1000;
  claims["sid"] = session.id;
  // How the user signed in (OIDC Core §2 amr, RFC 8176 values) and, through an upstream
  // provider, which one (`idp`, its issuer, as Keycloak and Entra ID name it).
  if (!session.amr.empty()) {
    boost::json::array amr;
    for (const auto& v : SplitScopes(session.amr)) amr.emplace_back(v);
    claims["amr"] = std::move(amr);
  }
  if (!session.idp.empty()) claims["idp"] = session.idp;
  // The class those methods reach (oauth/acr.h): a client that asked for several factors
  // with acr_values reads here whether it got them.
  claims["acr"] = AcrOf(session.amr);
  claims["at_hash"] = AtHash(access_token, key.alg());
  if (!nonce.empty()) claims["nonce"] = nonce;
  return crypto::SignJwt(key, "JWT", claims);
}

Result<const crypto::SigningKey*> TokenIssuer::ClientSigner(const KeySet& keys,
                                                           const store::OAuthClient& client) {
  // The client's registered algorithm (OIDC Registration id_token_signed_response_alg).
  auto alg = crypto::ParseJwsAlg(client.id_token_signed_response_alg);
  const crypto::SigningKey* signer = alg ? keys.Active(*alg) : nullptr;
  if (!signer) {
    return FailedPreconditionError("the server holds no " + client.id_token_signed_response_alg +
                                   " signing key for this client's ID tokens; add it to "
                                   "--signing-algs");
  }
  return signer;
}

Result<std::string> TokenIssuer::LogoutToken(const store::App& app,
                                             const store::OAuthClient& client,
                                             std::string_view user_id, std::string_view sid) {
  // Long enough for a receiver's clock to lag, short enough that a token read off the wire
  // soon means nothing (§2.6 lets the receiver refuse old ones; a retry signs a new one).
  constexpr int64_t kLogoutTokenTtlS = 120;
  int64_t now = clock_.NowSeconds();
  auto keys = keys_.Current();
  TESSERA_ASSIGN_OR_RETURN(const crypto::SigningKey* signer, ClientSigner(*keys, client));
  boost::json::object claims;
  claims["iss"] = apps_.IssuerFor(app.slug);
  claims["aud"] = client.client_id;
  claims["iat"] = now;
  claims["exp"] = now + kLogoutTokenTtlS;
  claims["jti"] = crypto::NewUuid();
  claims["sub"] = subjects_.For(client, user_id);
  claims["sid"] = sid;
  claims["events"] = {{"http://schemas.openid.net/event/backchannel-logout", boost::json::object{}}};
  return crypto::SignJwt(*signer, "logout+jwt", claims);
}

}  // namespace tessera::services
