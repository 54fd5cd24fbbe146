#include "oauth/authorization_service.h"

#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>

#include "crypto/digest.h"
#include "crypto/random.h"
#include "oauth/oidc_claims.h"
#include "base/uri_rules.h"
#include "base/strings.h"

namespace tessera::services {
namespace {

constexpr size_t kMaxStateLength = 2048;
constexpr size_t kMaxNonceLength = 512;

std::string Get(const std::map<std::string, std::string>& p, const std::string& name) {
  auto it = p.find(name);
  return it == p.end() ? std::string() : it->second;
}

// RFC 7636 §4.2: BASE64URL(SHA256(verifier)) is exactly 43 characters.
bool IsS256Challenge(std::string_view c) {
  return c.size() == 43 && std::all_of(c.begin(), c.end(), [](char ch) {
           return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_';
         });
}

AuthorizeFailure PageError(std::string error, std::string description) {
  return {false, std::move(error), std::move(description)};
}
AuthorizeFailure RedirectError(std::string error, std::string description) {
  return {true, std::move(error), std::move(description)};
}

}  // namespace

bool RedirectUriMatches(std::string_view registered, std::string_view presented) {
  if (registered == presented) return true;
  auto r = boost::urls::parse_absolute_uri(registered);
  auto p = boost::urls::parse_absolute_uri(presented);
  if (!r || !p || r->scheme() != "http" || p->scheme() != "http") return false;
  if (!IsLoopbackHost(r->encoded_host()) || r->encoded_host() != p->encoded_host()) return false;
  return r->encoded_path() == p->encoded_path() && r->encoded_query() == p->encoded_query() &&
         r->has_query() == p->has_query() && !p->has_fragment() && !p->has_userinfo();
}

AuthorizationRequest AuthorizationService::Validate(const store::App& app,
                                                    const std::map<std::string, std::string>& p) {
  AuthorizationRequest req;
  req.params = p;
  // (1) The client and redirect URI: failures here are shown, never redirected.
  std::string client_id = Get(p, "client_id");
  if (client_id.empty()) {
    req.failure = PageError("invalid_request", "The request has no client_id.");
    return req;
  }
  auto client = clients_.Find(app, client_id);
  if (!client.ok()) {
    req.failure = client.status().IsNotFound()
                      ? PageError("invalid_client", "This application is not registered here.")
                      : PageError("server_error", "The request could not be checked; try again.");
    return req;
  }
  req.client = std::move(*client);
  std::string redirect = Get(p, "redirect_uri");
  req.redirect_uri_given = p.contains("redirect_uri");
  if (!req.redirect_uri_given) {
    // OAuth allows omitting it when exactly one is registered; OpenID requests must send it.
    if (req.client.redirect_uris.size() != 1) {
      req.failure = PageError("invalid_request", "The request has no redirect_uri.");
      return req;
    }
    req.redirect_uri = req.client.redirect_uris[0];
  } else {
    auto it = std::find_if(req.client.redirect_uris.begin(), req.client.redirect_uris.end(),
                           [&](const std::string& r) { return RedirectUriMatches(r, redirect); });
    if (it == req.client.redirect_uris.end()) {
      req.failure = PageError("invalid_request",
                              "The redirect_uri is not registered for this application.");
      return req;
    }
    req.redirect_uri = redirect;
  }
  req.state = Get(p, "state");
  if (req.state.size() > kMaxStateLength) {
    req.state.clear();
    req.failure = RedirectError("invalid_request", "state is too long");
    return req;
  }
  // (2) Everything else is answered to the client by redirect.
  if (p.contains("request")) {
    req.failure = RedirectError("request_not_supported", "request objects are not supported");
    return req;
  }
  if (p.contains("request_uri")) {
    req.failure = RedirectError("request_uri_not_supported", "request_uri is not supported");
    return req;
  }
  std::string response_type = Get(p, "response_type");
  if (response_type.empty()) {
    req.failure = RedirectError("invalid_request", "response_type is required");
    return req;
  }
  if (response_type != "code") {
    req.failure = RedirectError("unsupported_response_type", "only response_type=code is supported");
    return req;
  }
  if (std::string mode = Get(p, "response_mode"); !mode.empty() && mode != "query") {
    req.failure = RedirectError("invalid_request", "only response_mode=query is supported");
    return req;
  }
  if (!Contains(req.client.grant_types, "authorization_code")) {
    req.failure = RedirectError("unauthorized_client",
                                "this client may not use the authorization code flow");
    return req;
  }
  std::string scope = Get(p, "scope");
  if (scope.find_first_of("\t\r\n") != std::string::npos) {
    req.failure = RedirectError("invalid_scope", "scope must be space separated");
    return req;
  }
  req.scopes = SplitScopes(scope);
  if (req.scopes.empty()) {
    for (const auto& s : req.client.scopes) {
      if (s != "offline_access") req.scopes.push_back(s);
    }
  }
  for (const auto& s : req.scopes) {
    if (!Contains(req.client.scopes, s)) {
      req.failure = RedirectError("invalid_scope", "scope not allowed for this client: " + s);
      return req;
    }
  }
  req.nonce = Get(p, "nonce");
  if (req.nonce.size() > kMaxNonceLength) {
    req.failure = RedirectError("invalid_request", "nonce is too long");
    return req;
  }
  // PKCE (RFC 7636, RFC 9700 §2.1.1): S256 only; required of public clients.
  std::string challenge = Get(p, "code_challenge");
  std::string method = Get(p, "code_challenge_method");
  if (challenge.empty()) {
    if (req.client.is_public) {
      req.failure = RedirectError("invalid_request", "PKCE is required: send code_challenge (S256)");
      return req;
    }
    if (!method.empty()) {
      req.failure = RedirectError("invalid_request", "code_challenge_method without code_challenge");
      return req;
    }
  } else {
    if (method != "S256") {
      req.failure = RedirectError("invalid_request", "code_challenge_method must be S256");
      return req;
    }
    if (!IsS256Challenge(challenge)) {
      req.failure = RedirectError("invalid_request", "code_challenge must be 43 base64url characters");
      return req;
    }
    req.code_challenge = challenge;
  }
  for (const auto& v : SplitScopes(Get(p, "prompt"))) {
    if (v != "none" && v != "login" && v != "consent" && v != "select_account") {
      req.failure = RedirectError("invalid_request", "unknown prompt value: " + v);
      return req;
    }
    req.prompt.insert(v);
  }
  if (req.prompt.contains("none") && req.prompt.size() > 1) {
    req.failure = RedirectError("invalid_request", "prompt=none cannot be combined with other values");
    return req;
  }
  if (p.contains("max_age")) {
    std::string m = Get(p, "max_age");
    if (m.empty() || m.size() > 10 || !std::all_of(m.begin(), m.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      req.failure = RedirectError("invalid_request", "max_age must be a non-negative integer");
      return req;
    }
    req.max_age_s = std::stoll(m);
  }
  return req;
}

bool AuthorizationService::NeedsLogin(const AuthorizationRequest& req,
                                      const store::Session& browser) const {
  if (req.Prompts("login") || req.Prompts("select_account")) return true;
  if (req.max_age_s) {
    int64_t auth_time = store::AuthTimeOf(browser);
    if (clock_.NowMillis() - auth_time > *req.max_age_s * 1000) return true;
  }
  return false;
}

Result<bool> AuthorizationService::NeedsConsent(const store::App& app, std::string_view user_id,
                                                const AuthorizationRequest& req) {
  if (req.client.first_party) return false;
  if (req.Prompts("consent")) return true;
  auto consent = codes_.GetConsent(app.id, user_id, req.client.client_id);
  if (consent.status().IsNotFound()) return true;
  TESSERA_RETURN_IF_ERROR(consent.status());
  for (const auto& s : req.scopes) {
    if (!Contains(consent->scopes, s)) return true;
  }
  return false;
}

Status AuthorizationService::RecordConsent(const store::App& app, std::string_view user_id,
                                           const AuthorizationRequest& req) {
  int64_t now = clock_.NowMillis();
  store::Consent c{app.id, std::string(user_id), req.client.client_id, {}, now, now};
  auto before = codes_.GetConsent(app.id, user_id, req.client.client_id);
  if (before.ok()) c.scopes = before->scopes;
  else if (!before.status().IsNotFound()) return before.status();
  for (const auto& s : req.scopes) {
    if (!Contains(c.scopes, s)) c.scopes.push_back(s);
  }
  TESSERA_RETURN_IF_ERROR(codes_.SaveConsent(c));
  boost::json::array scopes;
  for (const auto& s : req.scopes) scopes.emplace_back(s);
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
                                                    const AuthorizationRequest& req,
                                                    const store::Session& browser) {
  int64_t now = clock_.NowMillis();
  std::string code = crypto::NewSecretToken(kAuthorizationCodePrefix);
  store::AuthorizationCode c;
  c.code_hash = crypto::TokenHash(code);
  c.app_id = app.id;
  c.client_id = req.client.client_id;
  c.user_id = browser.user_id;
  // Kept as sent: the token request must repeat it exactly when it was sent (§4.1.3).
  c.redirect_uri = req.redirect_uri_given ? req.redirect_uri : std::string();
  c.scope = JoinScopes(req.scopes);
  c.nonce = req.nonce;
  c.code_challenge = req.code_challenge;
  c.session_id = crypto::NewUuid();
  c.browser_session_id = browser.id;
  c.auth_time = store::AuthTimeOf(browser);
  c.created_at = now;
  c.expires_at = now + options_.code_ttl_s * 1000;
  TESSERA_RETURN_IF_ERROR(codes_.CreateAuthorizationCode(c));
  return code;
}

}  // namespace tessera::services
