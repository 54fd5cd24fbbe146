#include "oauth/endpoints/authorize_endpoint.h"

#include "oauth/acr.h"
#include "oauth/endpoints/scope_list.h"

#include "base/log.h"
#include "http/form.h"
#include "oauth/oidc_claims.h"
#include "http/query.h"
#include "web/page_kit.h"
#include "web/service_messages.h"

namespace tessera::oauth {
namespace {

namespace bh = http::beast_http;

std::string Query(const std::map<std::string, std::string>& params) {
  std::string q;
  for (const auto& [k, v] : params) {
    q += (q.empty() ? "" : "&") + http::FormEncode(k) + "=" + http::FormEncode(v);
  }
  return q;
}

std::string AppendQuery(const std::string& uri, const std::string& query) {
  return uri + (uri.find('?') == std::string::npos ? "?" : "&") + query;
}

}  // namespace

void AuthorizeEndpoint::Mount(http::Router& r) {
  r.Add(bh::verb::get, "/apps/{app}/oauth/authorize", [this](http::Request& q) {
    auto params = http::ReadQuery(q);
    if (!params.ok()) {
      const i18n::Texts t = web_.pages.TextsFor(q, nullptr);
      return web_.pages.ErrorPage(q, nullptr, 400, t("oauth.invalid_link_heading"),
                                  t("oauth.params_malformed"));
    }
    return Authorize(q, *params);
  });
  // OIDC Core §3.1.2.1: the authorization endpoint accepts POSTed forms too.
  r.Add(bh::verb::post, "/apps/{app}/oauth/authorize", [this](http::Request& q) {
    auto params = http::ReadFormBody(q);
    if (!params.ok()) {
      const i18n::Texts t = web_.pages.TextsFor(q, nullptr);
      return web_.pages.ErrorPage(q, nullptr, 400, t("oauth.invalid_link_heading"),
                                  t("oauth.params_form"));
    }
    return Authorize(q, *params);
  });
  r.Add(bh::verb::post, "/apps/{app}/oauth/authorize/decision",
        [this](http::Request& q) { return Decide(q); });
}

http::Response AuthorizeEndpoint::Refuse(const http::Request& req, const store::App& app,
                                         const services::AuthorizeRefusal& refusal,
                                         unsigned page_status) {
  if (!refusal.redirect) {
    const i18n::Texts t = web_.pages.TextsFor(req, &app);
    return web_.pages.ErrorPage(req, &app, page_status, t("oauth.invalid_link_heading"),
                                web::ServiceText(t, refusal.error.description));
  }
  return RedirectError(req, app, *refusal.redirect, refusal.state, refusal.mode, refusal.error);
}

http::Response AuthorizeEndpoint::Respond(const http::Request& req, const store::App& app,
                                          const services::VerifiedRedirect& to,
                                          services::ResponseMode mode,
                                          std::map<std::string, std::string> params) {
  params["iss"] = web_.urls.Issuer(app);  // RFC 9207, in every answer
  if (mode == services::ResponseMode::kQuery) {
    return web::Redirect(AppendQuery(to.uri(), Query(params)));
  }
  // Form Post Response Mode §2: an auto-submitting form, posted to the redirect URI as it was
  // registered; without script, the user presses its button.
  web::PageData d;
  d.set("title", web_.pages.TextsFor(req, &app)("oauth.returning_title"));
  d.set("action", to.uri());
  web::PageData fields(web::PageData::type::list);
  for (const auto& [k, v] : params) {
    web::PageData item;
    item.set("name", k);
    item.set("value", v);
    fields.push_back(item);
  }
  d.set("fields", fields);
  d.set("page_script", std::string("form_post.js"));
  http::Response r = web_.pages.Page(req, app, "form_post", std::move(d));
  r.WithHeader("Cache-Control", "no-store");  // it carries a code
  return r;
}

http::Response AuthorizeEndpoint::RedirectError(const http::Request& req, const store::App& app,
                                                const services::VerifiedRedirect& to,
                                                std::string_view state,
                                                services::ResponseMode mode,
                                                const services::OAuthError& error) {
  std::map<std::string, std::string> p{{"error", error.code}};
  if (!error.description.empty()) p["error_description"] = error.description;
  if (!state.empty()) p["state"] = std::string(state);
  return Respond(req, app, to, mode, std::move(p));
}

http::Response AuthorizeEndpoint::RedirectError(const http::Request& req, const store::App& app,
                                                const services::ValidAuthorization& areq,
                                                const services::OAuthError& error) {
  return RedirectError(req, app, areq.redirect, areq.request.state,
                       services::ResponseModeOf(areq.request), error);
}

http::Response AuthorizeEndpoint::RedirectCode(const http::Request& req, const store::App& app,
                                               const services::ValidAuthorization& areq,
                                               const std::string& code) {
  std::map<std::string, std::string> p{{"code", code}};
  if (!areq.request.state.empty()) p["state"] = areq.request.state;
  return Respond(req, app, areq.redirect, services::ResponseModeOf(areq.request), std::move(p));
}

// Step-up (OIDC Core §3.1.2.1 acr_values): a client that asks for several factors, of a
// session that proved one, sends the user through the sign-in again — when the user has a
// second factor or may add one here. Otherwise the request goes on (acr_values is voluntary)
// and the ID token's acr says what the sign-in reached.
bool AuthorizeEndpoint::NeedsSecondFactor(const store::App& app,
                                          const services::ValidAuthorization& areq,
                                          const store::Session& session) {
  auto it = areq.request.params.find("acr_values");
  if (it == areq.request.params.end() || !services::AcrValuesAskForMfa(it->second)) return false;
  if (services::AmrHasMfa(session.amr) || !web_.mfa) return false;
  auto user = accounts_.GetUser(app, session.user_id);
  if (!user.ok()) return false;
  auto step = web_.mfa->StepAfter(app, *user, /*demanded=*/true);
  return step.ok() && *step != services::SecondStep::kNone;
}

http::Response AuthorizeEndpoint::ToLogin(const store::App& app,
                                          const services::ValidAuthorization& areq) {
  // Coming back, the request must not demand a sign-in again, or it would loop. (A pushed
  // request carries no prompt to drop: NeedsLogin counts the sign-in after its push.)
  std::map<std::string, std::string> back = areq.carried;
  back.erase("max_age");
  if (auto it = back.find("prompt"); it != back.end()) {
    std::string kept;
    for (const auto& v : services::SplitScopes(it->second)) {
      if (v != "login" && v != "select_account") kept += (kept.empty() ? "" : " ") + v;
    }
    if (kept.empty()) back.erase(it);
    else it->second = kept;
  }
  std::string return_to = web_.urls.PagePath(app, "oauth/authorize") + "?" + Query(back);
  std::string login = web_.urls.PagePath(app, "login") + "?return_to=" + http::FormEncode(return_to);
  // The sign-in page speaks the client's ui_locales (OIDC Core §3.1.2.1) — a pushed request's
  // too, whose parameters return_to does not carry.
  if (auto it = areq.request.params.find("ui_locales");
      it != areq.request.params.end() && !it->second.empty()) {
    login += "&ui_locales=" + http::FormEncode(it->second);
  }
  return web::Redirect(web_.urls.Absolute(login));
}

// Another account: the request again with prompt=login; a pushed request, whose parameters
// cannot change, goes through the sign-in page and back instead.
std::string AuthorizeEndpoint::SwitchAccountUrl(const store::App& app,
                                                const services::ValidAuthorization& areq) const {
  std::map<std::string, std::string> again = areq.carried;
  if (!areq.pushed_hash.empty()) {
    std::string back = web_.urls.PagePath(app, "oauth/authorize") + "?" + Query(again);
    return web_.urls.PagePath(app, "login") + "?return_to=" + http::FormEncode(back);
  }
  again["prompt"] = "login";
  return web_.urls.PagePath(app, "oauth/authorize") + "?" + Query(again);
}

http::Response AuthorizeEndpoint::ConsentPage(const http::Request& req, const store::App& app,
                                              const services::ValidAuthorization& areq,
                                              const store::Session& session) {
  auto user = accounts_.GetUser(app, session.user_id);
  const std::string user_locale = user.ok() ? web::ProfileLocale(*user) : std::string();
  const std::string ui_locales = http::FormValue(areq.request.params, "ui_locales");
  const i18n::Texts t = web_.pages.TextsFor(req, &app, user_locale, ui_locales);
  web::PageData d;
  if (!user_locale.empty()) d.set("user_locale", user_locale);
  if (!ui_locales.empty()) d.set("ui_locales", ui_locales);
  d.set("title", t("consent.title"));
  d.set("action", web_.urls.PagePath(app, "oauth/authorize/decision"));
  d.set("client_name", areq.client.name);
  d.set("user_display", user.ok() ? user->email : std::string());
  SetScopeList(d, areq.scopes, t);
  web::PageData hidden(web::PageData::type::list);
  for (const auto& [k, v] : areq.carried) {
    web::PageData item;
    item.set("name", k);
    item.set("value", v);
    hidden.push_back(item);
  }
  d.set("hidden", hidden);
  d.set("switch_account_url", SwitchAccountUrl(app, areq));
  return web_.pages.Page(req, app, "consent", std::move(d));
}

http::Response AuthorizeEndpoint::Authorize(http::Request& req,
                                            const std::map<std::string, std::string>& params) {
  using services::OAuthError;
  auto app = web_.apps.Resolve(req.Param("app"));
  if (!app.ok()) return web_.pages.UnknownApp(req);
  services::AuthorizeVerdict verdict = authz_.Validate(*app, params);
  if (!verdict.ok()) {
    // server_error: the client could not be looked up; worth trying again.
    bool unavailable = verdict.error().error.code == services::kServerError;
    return Refuse(req, *app, verdict.error(), unavailable ? 503 : 400);
  }
  const services::ValidAuthorization& areq = *verdict;
  auto session = web_.session_cookie.Current(*app, req);
  if (!session || authz_.NeedsLogin(areq, *session)) {
    if (areq.Prompts("none")) {
      return RedirectError(req, *app, areq, OAuthError(services::kLoginRequired, "the user is not signed in"));
    }
    return ToLogin(*app, areq);
  }
  if (NeedsSecondFactor(*app, areq, *session)) {
    if (areq.Prompts("none")) {
      return RedirectError(req, *app, areq, OAuthError(services::kInteractionRequired,
                                                  "the client asked for a second factor"));
    }
    return ToLogin(*app, areq);  // acr_values stays: the sign-in asks for the second factor
  }
  if (authz_.HintNamesAnotherUser(areq, *session)) {
    return RedirectError(req, *app, areq, OAuthError(services::kLoginRequired,
                                                "the signed-in user is not the one id_token_hint names"));
  }
  auto consent = authz_.NeedsConsent(*app, session->user_id, areq);
  if (!consent.ok()) return RedirectError(req, *app, areq, OAuthError(services::kTemporarilyUnavailable));
  if (*consent) {
    if (areq.Prompts("none")) {
      return RedirectError(req, *app, areq, OAuthError(services::kConsentRequired, "the user has not consented"));
    }
    return ConsentPage(req, *app, areq, *session);
  }
  return IssueCodeAndRespond(req, *app, areq, *session);
}

http::Response AuthorizeEndpoint::IssueCodeAndRespond(const http::Request& req,
                                                      const store::App& app,
                                                      const services::ValidAuthorization& areq,
                                                      const store::Session& session) {
  using services::OAuthError;
  auto code = authz_.IssueCode(app, areq, session);
  if (code.status().code() == StatusCode::kFailedPrecondition) {
    return RedirectError(req, app, areq, OAuthError(services::kInvalidRequest, code.status().message()));
  }
  if (!code.ok()) return RedirectError(req, app, areq, OAuthError(services::kTemporarilyUnavailable));
  return RedirectCode(req, app, areq, *code);
}

http::Response AuthorizeEndpoint::Decide(http::Request& req) {
  using services::OAuthError;
  auto app = web_.apps.Resolve(req.Param("app"));
  if (!app.ok()) return web_.pages.UnknownApp(req);
  auto form = http::ReadFormBody(req);
  if (!form.ok()) {
    const i18n::Texts t = web_.pages.TextsFor(req, &*app);
    return web_.pages.ErrorPage(req, &*app, 400, t("oauth.bad_request_heading"),
                                t("oauth.form_unreadable"));
  }
  if (!web_.csrf.Check(req, *form)) {
    const i18n::Texts t = web_.pages.TextsFor(req, &*app);
    return web_.pages.ErrorPage(req, &*app, 403, t("oauth.session_expired_heading"),
                                t("oauth.session_expired_message"));
  }
  std::string decision = http::FormValue(*form, "decision");
  form->erase("csrf_token");
  form->erase("decision");
  services::AuthorizeVerdict verdict = authz_.Validate(*app, *form);
  if (!verdict.ok()) return Refuse(req, *app, verdict.error(), 400);
  const services::ValidAuthorization& areq = *verdict;
  auto session = web_.session_cookie.Current(*app, req);
  if (!session) return ToLogin(*app, areq);
  if (decision != "allow") {
    LogJson(spdlog::level::info, "consent_denied",
            {{"app", app->slug}, {"client_id", areq.client.client_id}, {"user_id", session->user_id}});
    authz_.EndPushed(*app, areq);
    return RedirectError(req, *app, areq, OAuthError(services::kAccessDenied, "the user denied the request"));
  }
  if (Status s = authz_.RecordConsent(*app, session->user_id, areq); !s.ok()) {
    return RedirectError(req, *app, areq, OAuthError(services::kTemporarilyUnavailable));
  }
  return IssueCodeAndRespond(req, *app, areq, *session);
}

}  // namespace tessera::oauth
