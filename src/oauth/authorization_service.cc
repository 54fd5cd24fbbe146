#include "oauth/authorization_service.h"

#include <boost/json.hpp>

#include "base/strings.h"
#include "crypto/digest.h"
#include "crypto/random.h"
#include "oauth/authorize_checks.h"
#include "oauth/oidc_claims.h"

namespace tessera::services {

bool AuthorizationService::TakesRequestObject(const store::App& app,
                                              const AuthorizeRequest::Params& params) const {
  // Off, a `request` is left for its check row to refuse (request_not_supported).
  return request_objects_ && app.settings.signed_request_objects && params.contains("request");
}

AuthorizeVerdict AuthorizationService::Validate(const store::App& app,
                                                const AuthorizeRequest::Params& params) {
  if (TakesRequestObject(app, params) && !params.contains("request_uri")) {
    return ValidateSigned(app, params);
  }
  if (!params.contains("request_uri") || !app.settings.par) {
    // Without pushed requests a request_uri is refused by its row (request_uri_not_supported).
    AuthorizeVerdict verdict = ValidateParams(app, AuthorizeRequest::Parse(params));
    if (verdict.ok()) verdict->carried = verdict->request.params;
    return verdict;
  }
  OAuthResult<Pushed> pushed = ResolvePushed(app, params);
  if (!pushed.ok()) return AuthorizeRefusal{pushed.error(), std::nullopt, ""};
  AuthorizeRequest request = AuthorizeRequest::Parse(std::move(pushed->params));
  request.pushed = true;
  AuthorizeVerdict verdict = ValidateParams(app, std::move(request));
  if (!verdict.ok()) return verdict;
  verdict->carried = {{"client_id", params.at("client_id")}, {"request_uri", params.at("request_uri")}};
  verdict->pushed_hash = std::move(pushed->hash);
  verdict->pushed_at = pushed->at;
  return verdict;
}

AuthorizeVerdict AuthorizationService::ValidateSigned(const store::App& app,
                                                      const AuthorizeRequest::Params& params) {
  auto client_id = params.find("client_id");
  OAuthResult<store::OAuthClient> client =
      IdentifyClient(app, client_id == params.end() ? "" : client_id->second);
  if (!client.ok()) return AuthorizeRefusal{client.error(), std::nullopt, ""};
  // Nothing in an object that does not verify can be trusted, its redirect_uri least: shown.
  OAuthResult<AuthorizeRequest::Params> unpacked = request_objects_->Unpack(app, *client, params);
  if (!unpacked.ok()) return AuthorizeRefusal{unpacked.error(), std::nullopt, ""};
  AuthorizeRequest request = AuthorizeRequest::Parse(std::move(*unpacked));
  request.signed_request = true;
  AuthorizeVerdict verdict = ValidateParams(app, std::move(request));
  // Through sign-in and consent the signed object goes along, and is checked again each time.
  if (verdict.ok()) verdict->carried = {{"client_id", client->client_id}, {"request", params.at("request")}};
  return verdict;
}

OAuthResult<AuthorizationService::Pushed> AuthorizationService::ResolvePushed(
    const store::App& app, const AuthorizeRequest::Params& params) {
  OAuthError unusable(kInvalidRequestUri,
                      "This sign-in link has expired or was already used. Go back to the "
                      "application and start again.");
  const std::string& uri = params.at("request_uri");
  auto client_id = params.find("client_id");
  if (client_id == params.end()) return OAuthError(kInvalidRequest, "The request has no client_id.");
  if (uri.rfind(kRequestUriPrefix, 0) != 0 ||
      !crypto::IsSecretTokenShaped(uri.substr(kRequestUriPrefix.size()), kPushedRequestPrefix)) {
    return unusable;
  }
  auto stored = codes_.GetPushedRequest(app.id, crypto::TokenHash(uri));
  if (stored.status().IsNotFound()) return unusable;
  if (!stored.ok()) return OAuthError(kServerError, "The request could not be checked; try again.");
  // RFC 9126 §4: bound to the client that pushed it; single use; short-lived.
  if (stored->client_id != client_id->second || stored->used_at ||
      stored->expires_at <= clock_.NowMillis()) {
    return unusable;
  }
  boost::system::error_code ec;
  boost::json::value parsed = boost::json::parse(stored->params_json, ec);
  if (ec || !parsed.is_object()) return OAuthError(kServerError, "The request could not be read.");
  Pushed out;
  for (const auto& [k, v] : parsed.as_object()) {
    if (v.is_string()) out.params[std::string(k)] = std::string(v.as_string());
  }
  out.hash = stored->request_uri_hash;
  out.at = stored->created_at;
  return out;
}

OAuthResult<PushedRequestUri> AuthorizationService::Push(const store::App& app,
                                                         const store::OAuthClient& client,
                                                         AuthorizeRequest::Params params,
                                                         std::string_view proof_jkt) {
  if (!app.settings.par) {
    return OAuthError(kInvalidRequest, "pushed authorization requests are not enabled for this app");
  }
  // RFC 9126 §3: a pushed request may itself be a signed request object; what is stored is
  // what it signed.
  const bool signed_request = TakesRequestObject(app, params);
  if (signed_request) {
    OAuthResult<AuthorizeRequest::Params> unpacked = request_objects_->Unpack(app, client, params);
    if (!unpacked.ok()) return unpacked.error();
    params = std::move(*unpacked);
  }
  // RFC 9449 §10.1: a DPoP proof sent with the push names the code's key, as dpop_jkt would;
  // with both, they must agree.
  if (!proof_jkt.empty()) {
    auto named = params.find("dpop_jkt");
    if (named != params.end() && named->second != proof_jkt) {
      return OAuthError(kInvalidDpopProof, "dpop_jkt is not the thumbprint of the proof's key");
    }
    params["dpop_jkt"] = std::string(proof_jkt);
  }
  if (params.contains("request_uri")) {
    return OAuthError(kInvalidRequest, "a pushed request cannot carry a request_uri (RFC 9126 §2.1)");
  }
  // The endpoint authenticated the client: its credentials are not request parameters.
  params.erase("client_secret");
  params["client_id"] = client.client_id;
  AuthorizeRequest request = AuthorizeRequest::Parse(params);
  request.pushed = true;
  request.signed_request = signed_request;
  AuthorizeVerdict verdict = ValidateParams(app, std::move(request));
  if (!verdict.ok()) return verdict.error().error;
  boost::json::object stored;
  for (const auto& [k, v] : params) stored[k] = v;
  int64_t now = clock_.NowMillis();
  PushedRequestUri out;
  out.request_uri = std::string(kRequestUriPrefix) + crypto::NewSecretToken(kPushedRequestPrefix);
  out.expires_in = options_.pushed_request_ttl_s;
  store::PushedAuthorizationRequest r{crypto::TokenHash(out.request_uri), app.id, client.client_id,
                                      boost::json::serialize(stored), now,
                                      now + options_.pushed_request_ttl_s * 1000, std::nullopt};
  if (Status s = codes_.CreatePushedRequest(r); !s.ok()) return UnexpectedFailure(s);
  return out;
}

void AuthorizationService::EndPushed(const store::App& app, const ValidAuthorization& req) {
  if (!req.pushed_hash.empty()) (void)codes_.UsePushedRequest(app.id, req.pushed_hash, clock_.NowMillis());
}

AuthorizeVerdict AuthorizationService::ValidateParams(const store::App& app, AuthorizeRequest request) {
  if (!app.settings.dpop) request.dpop_jkt.clear();  // an unknown parameter is ignored (§3.1)
  // (1) Who asks, and where the answer may go: errors here are shown, never redirected.
  OAuthResult<store::OAuthClient> client = IdentifyClient(app, request.client_id);
  if (!client.ok()) return AuthorizeRefusal{client.error(), std::nullopt, ""};
  // The scopes it will get (a request without scope gets the client's defaults): an OpenID
  // request must name its redirect_uri.
  RedirectUriRule rule = Contains(RequestedScopes(request, *client), "openid")
                             ? RedirectUriRule::kOpenId
                             : RedirectUriRule::kOAuth;
  OAuthResult<VerifiedRedirect> redirect = VerifyRedirectUri(*client, request.redirect_uri, rule);
  if (!redirect.ok()) return AuthorizeRefusal{redirect.error(), std::nullopt, ""};
  // (2) Every other rule answers the client by redirect.
  if (std::optional<OAuthError> error = FirstFailedCheck(request, *client)) {
    return AuthorizeRefusal{std::move(*error), std::move(*redirect), EchoedState(request),
                            ResponseModeOf(request)};
  }
  // (3) A hint must be an ID token of ours (expired is fine: it only names the user).
  std::optional<std::string> hinted_subject;
  if (!request.id_token_hint.empty() && hints_) {
    auto hint = hints_->VerifyIdTokenHint(app, request.id_token_hint);
    if (!hint.ok()) {
      return AuthorizeRefusal{OAuthError(kInvalidRequest, "id_token_hint is not an ID token of this issuer"),
                              std::move(*redirect), EchoedState(request),
                              ResponseModeOf(request)};
    }
    hinted_subject = hint->subject;
  }
  std::vector<std::string> scopes = RequestedScopes(request, *client);
  std::set<std::string> prompt(request.prompt.begin(), request.prompt.end());
  std::optional<int64_t> max_age_s = MaxAgeSeconds(request);
  return ValidAuthorization{std::move(request), std::move(*client), std::move(*redirect),
                            std::move(scopes),  std::move(prompt),  max_age_s,
                            std::move(hinted_subject)};
}

bool AuthorizationService::HintNamesAnotherUser(const ValidAuthorization& req,
                                                const store::Session& browser) const {
  // The hint names the user as the client knows them (pairwise or public, OIDC Core §8).
  return req.hinted_subject && hints_ &&
         *req.hinted_subject != hints_->SubjectFor(req.client, browser.user_id);
}

OAuthResult<store::OAuthClient> AuthorizationService::IdentifyClient(const store::App& app,
                                                                     std::string_view client_id) {
  if (client_id.empty()) return OAuthError(kInvalidRequest, "The request has no client_id.");
  auto client = clients_.Find(app, client_id);
  if (client.ok()) return std::move(*client);
  if (client.status().IsNotFound()) {
    return OAuthError(kInvalidClient, "This application is not registered here.");
  }
  return OAuthError(kServerError, "The request could not be checked; try again.");
}

bool AuthorizationService::NeedsLogin(const ValidAuthorization& req,
                                      const store::Session& browser) const {
  // A pushed request's parameters cannot be edited on the way back from the sign-in page (as
  // a plain request's prompt is, in AuthorizeEndpoint::ToLogin), so a sign-in after the push
  // is what satisfies prompt=login.
  bool signed_in_since_push = req.pushed_at > 0 && store::AuthTimeOf(browser) >= req.pushed_at;
  if ((req.Prompts("login") || req.Prompts("select_account")) && !signed_in_since_push) return true;
  if (req.max_age_s) {
    int64_t auth_time = store::AuthTimeOf(browser);
    if (clock_.NowMillis() - auth_time > *req.max_age_s * 1000) return true;
  }
  return false;
}

Result<bool> AuthorizationService::NeedsConsent(const store::App& app, std::string_view user_id,
                                                const ValidAuthorization& req) {
  // prompt=consent asks for the page even where it is normally skipped (OIDC Core §3.1.2.1:
  // the server SHOULD prompt); a first-party client skips it only when it does not ask.
  if (req.Prompts("consent")) return true;
  if (req.client.first_party) return false;
  auto consent = codes_.GetConsent(app.id, user_id, req.client.client_id);
  if (consent.status().IsNotFound()) return true;
  TESSERA_RETURN_IF_ERROR(consent.status());
  for (const auto& s : req.scopes) {
    if (!Contains(consent->scopes, s)) return true;
  }
  return false;
}

Status AuthorizationService::RecordConsent(const store::App& app, std::string_view user_id,
                                           const ValidAuthorization& req) {
  return RecordConsent(app, user_id, req.client.client_id, req.scopes);
}

Status AuthorizationService::RecordConsent(const store::App& app, std::string_view user_id,
                                           std::string_view client_id,
                                           const std::vector<std::string>& granted) {
  int64_t now = clock_.NowMillis();
  // The store merges with what was granted before in one transaction (a read here and a
  // write later would let two concurrent consents drop each other's scopes).
  store::Consent c{app.id, std::string(user_id), std::string(client_id), granted, now, now};
  TESSERA_RETURN_IF_ERROR(codes_.AddConsentScopes(c));
  boost::json::array scopes;
  for (const auto& s : granted) scopes.emplace_back(s);
  Audit(audit_, {.app_id = app.id,
                 .action = store::AuditAction::kOAuthConsentGranted,
                 .actor_type = store::AuditActorType::kUser,
                 .actor_id = std::string(user_id),
                 .subject_type = store::AuditSubjectType::kOAuthClient,
                 .subject_id = c.client_id,
                 .details_json =
                     boost::json::serialize(boost::json::object{{"scopes", std::move(scopes)}})});
  return OkStatus();
}

Result<std::vector<AuthorizedApp>> AuthorizationService::ListAuthorizedApps(
    const store::App& app, std::string_view user_id) {
  TESSERA_ASSIGN_OR_RETURN(std::vector<store::Consent> consents, codes_.ListConsents(app.id, user_id));
  std::vector<AuthorizedApp> out;
  for (auto& c : consents) {
    auto client = clients_.Find(app, c.client_id);
    if (client.status().IsNotFound()) continue;
    TESSERA_RETURN_IF_ERROR(client.status());
    out.push_back({std::move(*client), std::move(c)});
  }
  return out;
}

Status AuthorizationService::RevokeAuthorization(const store::App& app, std::string_view user_id,
                                                 std::string_view client_id) {
  Status deleted = codes_.DeleteConsent(app.id, user_id, client_id);
  if (!deleted.ok() && !deleted.IsNotFound()) return deleted;
  TESSERA_ASSIGN_OR_RETURN(
      int64_t revoked, sessions_.RevokeClientSessions(app.id, user_id, client_id,
                                                      store::RevokeReason::kAuthorizationRevoked,
                                                      clock_.NowMillis()));
  if (deleted.IsNotFound() && revoked == 0) return NotFoundError("authorization");
  Audit(audit_, {.app_id = app.id,
                 .action = store::AuditAction::kOAuthAuthorizationRevoked,
                 .actor_type = store::AuditActorType::kUser,
                 .actor_id = std::string(user_id),
                 .subject_type = store::AuditSubjectType::kOAuthClient,
                 .subject_id = std::string(client_id),
                 .details_json =
                     boost::json::serialize(boost::json::object{{"sessions_revoked", revoked}})});
  return OkStatus();
}

Result<std::string> AuthorizationService::IssueCode(const store::App& app,
                                                    const ValidAuthorization& req,
                                                    const store::Session& browser) {
  int64_t now = clock_.NowMillis();
  if (!req.pushed_hash.empty()) {
    TESSERA_ASSIGN_OR_RETURN(bool spent, codes_.UsePushedRequest(app.id, req.pushed_hash, now));
    if (!spent) return FailedPreconditionError("the request_uri was already used");
  }
  std::string code = crypto::NewSecretToken(kAuthorizationCodePrefix);
  store::AuthorizationCode c;
  c.code_hash = crypto::TokenHash(code);
  c.app_id = app.id;
  c.client_id = req.client.client_id;
  c.user_id = browser.user_id;
  // Kept as sent: the token request must repeat it exactly when it was sent (§4.1.3).
  c.redirect_uri = req.redirect.named_in_request() ? req.redirect.uri() : std::string();
  c.scope = JoinScopes(req.scopes);
  c.nonce = req.request.nonce;
  c.code_challenge = req.request.code_challenge;
  c.dpop_jkt = req.request.dpop_jkt;
  c.session_id = crypto::NewUuid();
  c.browser_session_id = browser.id;
  c.auth_time = store::AuthTimeOf(browser);
  c.amr = browser.amr;
  c.idp = browser.idp;
  c.created_at = now;
  c.expires_at = now + options_.code_ttl_s * 1000;
  TESSERA_RETURN_IF_ERROR(codes_.CreateAuthorizationCode(c));
  return code;
}

}  // namespace tessera::services
