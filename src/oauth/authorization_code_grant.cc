#include "oauth/authorization_code_grant.h"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>

#include "base/log.h"
#include "base/strings.h"
#include "crypto/digest.h"
#include "crypto/encoding.h"
#include "crypto/random.h"
#include "oauth/authorization_service.h"
#include "oauth/oidc_claims.h"
#include "oauth/verified_redirect.h"

namespace tessera::services {
namespace {

using Verdict = std::optional<OAuthError>;

OAuthError InvalidGrant(std::string why) { return OAuthError(kInvalidGrant, std::move(why)); }

// RFC 7636 §4.1: 43–128 characters of [A-Za-z0-9-._~].
bool IsValidVerifier(std::string_view v) {
  return v.size() >= 43 && v.size() <= 128 && std::all_of(v.begin(), v.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' ||
                  c == '_' || c == '~';
         });
}

Verdict IssuedToThisClient(const store::AuthorizationCode& c, const GrantRequest& r) {
  if (c.client_id != r.client.client_id) return InvalidGrant("the code was issued to another client");
  return std::nullopt;
}

// §4.1.3: redirect_uri must repeat the authorization request's when that one named it;
// otherwise it may be left out, or be the client's one registered URI.
Verdict RedirectUriRepeated(const store::AuthorizationCode& c, const GrantRequest& r) {
  std::optional<std::string> sent = r.Optional("redirect_uri");
  bool matches = !c.redirect_uri.empty()
                     ? sent && *sent == c.redirect_uri
                     : !sent || (r.client.redirect_uris.size() == 1 &&
                                 RedirectUriMatches(r.client.redirect_uris[0], *sent));
  if (!matches) return InvalidGrant("redirect_uri does not match the authorization request");
  return std::nullopt;
}

// RFC 7636 §4.6; a verifier for a code issued without a challenge is a downgrade attempt
// (RFC 9700 §2.1.1).
Verdict VerifierMatchesChallenge(const store::AuthorizationCode& c, const GrantRequest& r) {
  std::optional<std::string> verifier = r.Optional("code_verifier");
  if (c.code_challenge.empty()) {
    if (verifier) return InvalidGrant("code_verifier sent for a code issued without code_challenge");
    return std::nullopt;
  }
  if (!verifier) return InvalidGrant("code_verifier is required");
  if (!IsValidVerifier(*verifier)) return InvalidGrant("malformed code_verifier");
  std::string expected = crypto::Base64UrlEncode(crypto::Sha256(*verifier));
  if (!crypto::ConstantTimeEquals(expected, c.code_challenge)) {
    return InvalidGrant("code_verifier does not match the code_challenge");
  }
  return std::nullopt;
}

// RFC 9449 §10: a code whose request named a DPoP key (dpop_jkt) is redeemed only with a
// proof of that key, so a stolen code is of no use without the key.
Verdict ProofOfTheNamedKey(const store::AuthorizationCode& c, const GrantRequest& r) {
  if (c.dpop_jkt.empty() || c.dpop_jkt == r.dpop_jkt) return std::nullopt;
  return InvalidGrant(r.dpop_jkt.empty() ? "a DPoP proof of the key named by dpop_jkt is required"
                                         : "the DPoP proof is of another key than dpop_jkt named");
}

// What binds a redeemed code to this exchange, in the order the errors answer.
constexpr Verdict (*kCodeBindings[])(const store::AuthorizationCode&, const GrantRequest&) = {
    IssuedToThisClient, RedirectUriRepeated, VerifierMatchesChallenge, ProofOfTheNamedKey};

}  // namespace

OAuthResult<GrantedTokens> AuthorizationCodeGrant::Issue(const GrantRequest& request) {
  std::string code = request.Param("code");
  if (code.empty()) return OAuthError(kInvalidRequest, "code is required");
  if (!crypto::IsSecretTokenShaped(code, kAuthorizationCodePrefix)) {
    return InvalidGrant("invalid authorization code");
  }
  OAuthResult<store::AuthorizationCode> redeemed = Redeem(request, code);
  if (!redeemed.ok()) return redeemed.error();
  for (auto binding : kCodeBindings) {
    if (Verdict error = binding(*redeemed, request)) return std::move(*error);
  }
  const store::AuthorizationCode& c = *redeemed;
  return start_.Start(request, {.session_id = c.session_id,
                                .user_id = c.user_id,
                                .scope = c.scope,
                                .nonce = c.nonce,
                                .auth_time = c.auth_time,
                                .amr = c.amr,
                                .idp = c.idp,
                                .browser_session_id = c.browser_session_id});
}

OAuthResult<store::AuthorizationCode> AuthorizationCodeGrant::Redeem(const GrantRequest& request,
                                                                     std::string_view code) {
  const store::App& app = request.app;
  int64_t now = clock_.NowMillis();
  auto r = codes_.RedeemAuthorizationCode(app.id, crypto::TokenHash(code), now);
  if (!r.ok()) return UnexpectedFailure(r.status());
  if (r->outcome == store::CodeOutcome::kReused) {
    // RFC 6749 §4.1.2: a code used twice revokes what it was exchanged for.
    const store::AuthorizationCode& used = *r->code;
    Status s = RevokeCodeGrant(app, used, now);
    LogJson(spdlog::level::warn, "authorization_code_reuse_detected",
            {{"app", app.slug}, {"client_id", request.client.client_id},
             {"user_id", used.user_id}, {"session_revoked", s.ok()}});
    Audit(audit_, {.app_id = app.id,
                   .action = store::AuditAction::kOAuthCodeReuse,
                   .actor_type = store::AuditActorType::kClient,
                   .actor_id = request.client.client_id,
                   .subject_type = store::AuditSubjectType::kUser,
                   .subject_id = used.user_id,
                   .outcome = store::AuditOutcome::kFailure,
                   .details_json = boost::json::serialize(boost::json::object{
                       {"session_id", used.session_id}, {"session_revoked", s.ok()}})});
    return InvalidGrant("authorization code already used");
  }
  if (r->outcome != store::CodeOutcome::kConsumed) {
    return InvalidGrant("invalid or expired authorization code");
  }
  return std::move(*r->code);
}

// Revokes the grant a code was exchanged for. When the replay wins the race against the
// first exchange (whose session does not exist yet), a revoked tombstone takes the session's
// id, so that exchange fails instead of issuing tokens.
Status AuthorizationCodeGrant::RevokeCodeGrant(const store::App& app,
                                               const store::AuthorizationCode& code, int64_t now) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    Status s = sessions_.RevokeSessionById(app.id, code.session_id, store::RevokeReason::kCodeReuse, now);
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

}  // namespace tessera::services
