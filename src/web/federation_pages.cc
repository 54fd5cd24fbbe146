#include "web/federation_pages.h"

#include "base/log.h"
#include "http/cookie.h"
#include "web/browser_sign_in.h"
#include "web/display_text.h"
#include "web/page_errors.h"
#include "web/return_to.h"
#include "web/service_messages.h"

namespace tessera::web {
namespace {

namespace bh = http::beast_http;

// Long enough for a slow provider page and a password manager; the ticket itself expires
// sooner (FederatedSignInOptions).
constexpr int64_t kBindingCookieMaxAge = 15 * 60;

services::UpstreamCallback CallbackOf(const http::QueryParams& q) {
  const auto bounded = [&](std::string_view name, size_t max) {
    std::string v = http::FormValue(q, std::string(name));
    if (v.size() > max) v.clear();  // longer than any provider sends: not theirs
    return v;
  };
  return {bounded("code", 2048), bounded("state", 200), bounded("iss", 500),
          bounded("error", 100), bounded("error_description", 500)};
}

// What both pages of a pending link say first: whose account, which provider.
PageData LinkPageData(const i18n::Texts& t, const services::PendingLinkView& pending) {
  PageData d;
  d.set("title", t("federation.link_title", {{"provider_name", pending.provider_name}}));
  d.set("provider_name", pending.provider_name);
  d.set("account_email", pending.account_email);
  return d;
}

}  // namespace

void FederationPages::Mount(http::Router& r, const PageGates& gates) {
  const auto back = AfterSignIn::kAccountPage;
  r.Add(bh::verb::get, "/apps/{app}/federation/{provider}/start",
        gates.WithApp(Bind(this, &FederationPages::Start)));
  r.Add(bh::verb::get, "/apps/{app}/federation/{provider}/callback",
        gates.WithApp(Bind(this, &FederationPages::Callback)));
  r.Add(bh::verb::get, "/apps/{app}/api/auth/{provider}",
        gates.WithApp(Bind(this, &FederationPages::StartApi)));
  r.Add(bh::verb::get, "/apps/{app}/federation/link",
        gates.WithApp(Bind(this, &FederationPages::ShowProof)));
  r.Add(bh::verb::post, "/apps/{app}/federation/link",
        gates.WithCsrf(Bind(this, &FederationPages::SubmitProof)), http::Dispatch::kHashing);
  r.Add(bh::verb::post, "/apps/{app}/federation/link/email",
        gates.WithCsrf(Bind(this, &FederationPages::MailProof)));
  r.Add(bh::verb::get, "/apps/{app}/federation/link/confirm",
        gates.WithApp(Bind(this, &FederationPages::ShowMailedLink)));
  r.Add(bh::verb::post, "/apps/{app}/federation/link/confirm",
        gates.WithCsrf(Bind(this, &FederationPages::ConfirmMailedLink)));
  r.Add(bh::verb::post, "/apps/{app}/account/identities/{provider}/link",
        gates.WithBrowserSession(back, Bind(this, &FederationPages::StartLink)));
  r.Add(bh::verb::post, "/apps/{app}/account/identities/{id}/unlink",
        gates.WithBrowserSession(back, Bind(this, &FederationPages::Unlink)));
}

std::string FederationPages::BindingCookieName() const {
  return kit_.urls.secure() ? "__Host-tessera_federation" : "tessera_federation";
}

void FederationPages::SetProviderButtons(const store::App& app, const std::string& return_to,
                                         PageData& d) const {
  auto providers = federation_.EnabledProviders(app);
  if (!providers.ok() || providers->empty()) return;
  PageData buttons = PageData::type::list;
  for (const auto& p : *providers) {
    std::string url = kit_.urls.PagePath(app, "federation/" + p.slug + "/start");
    if (!return_to.empty()) url += "?return_to=" + http::FormEncode(return_to);
    PageData b;
    b.set("name", p.display_name);
    b.set("url", url);
    b.set("slug", p.slug);
    buttons.push_back(b);
  }
  d.set("providers", buttons);
  d.set("has_providers", true);
}

http::Response FederationPages::ToProvider(const store::App& app,
                                           const services::StartedFederation& started) {
  http::Response r;
  r.status = 303;
  r.WithHeader("Location", started.upstream_url);
  r.WithHeader("Cache-Control", "no-store");
  if (!started.browser_binding.empty()) {
    http::SetCookie(r, BindingCookieName(), started.browser_binding,
                    {kit_.urls.secure(), true, "Lax", "/", kBindingCookieMaxAge});
  }
  return r;
}

http::Response FederationPages::Start(http::Request& req, const store::App& app) {
  services::FederationStart start;
  start.return_to = SafeReturnTo(kit_.urls, app, http::FormValue(PageQuery(req), "return_to"));
  auto started = federation_.Start(app, req.Param("provider"), start);
  if (!started.ok()) return Failure(req, app, started.status());
  return ToProvider(app, *started);
}

http::Response FederationPages::StartApi(http::Request& req, const store::App& app) {
  http::QueryParams q = PageQuery(req);
  services::FederationStart start;
  start.purpose = services::FederationPurpose::kApi;
  start.redirect_uri = http::FormValue(q, "redirect_uri");
  start.client_state = http::FormValue(q, "state");
  start.code_challenge = http::FormValue(q, "code_challenge");
  std::string method = http::FormValue(q, "code_challenge_method");
  if (!start.code_challenge.empty() && method != "S256") {
    return Failure(req, app, ValidationError({{"code_challenge_method", "must be S256"}}));
  }
  auto started = federation_.Start(app, req.Param("provider"), start);
  if (!started.ok()) return Failure(req, app, started.status());
  return ToProvider(app, *started);
}

http::Response FederationPages::StartLink(http::Request& req, const BrowserVisit& v,
                                          const http::FormParams&) {
  services::FederationStart start;
  start.purpose = services::FederationPurpose::kLink;
  start.user_id = v.session.user_id;
  start.return_to = kit_.urls.PagePath(v.app, "account");
  auto started = federation_.Start(v.app, req.Param("provider"), start);
  if (!started.ok()) return Failure(req, v.app, started.status());
  return ToProvider(v.app, *started);
}

http::Response FederationPages::Callback(http::Request& req, const store::App& app) {
  services::UpstreamCallback callback = CallbackOf(PageQuery(req));
  std::string binding = http::GetCookie(req, BindingCookieName()).value_or("");
  auto outcome = federation_.Finish(app, req.Param("provider"), callback, binding, ClientOf(req));
  if (!outcome.ok()) return Failure(req, app, outcome.status());
  http::Response r = Outcome(req, app, *outcome);
  // The binding did its work: one sign-in, one cookie.
  http::SetCookie(r, BindingCookieName(), "", {kit_.urls.secure(), true, "Lax", "/", 0});
  return r;
}

http::Response FederationPages::Outcome(const http::Request& req, const store::App& app,
                                        const services::FederationOutcome& o) {
  using Kind = services::FederationOutcome::Kind;
  switch (o.kind) {
    case Kind::kSignedIn:
      return SignInBrowser(kit_, req, app, o.user, SafeReturnTo(kit_.urls, app, o.return_to),
                           "fed", o.provider_issuer);
    case Kind::kLinked:
      return Redirect(kit_.urls.Absolute(kit_.urls.PagePath(app, "account") + "?done=linked"));
    case Kind::kNeedsProof:
      return Redirect(kit_.urls.Absolute(kit_.urls.PagePath(app, "federation/link") +
                                         "?ticket=" + http::FormEncode(o.proof_ticket)));
    case Kind::kRedirect: {
      http::Response r;
      r.status = 303;
      r.WithHeader("Location", o.redirect_url);
      r.WithHeader("Cache-Control", "no-store");
      return r;
    }
  }
  return kit_.pages.Unavailable(req, &app);
}

http::Response FederationPages::Failure(const http::Request& req, const store::App& app,
                                        const Status& s) {
  const i18n::Texts t = kit_.pages.TextsFor(req, &app);
  const std::string login = kit_.urls.PagePath(app, "login");
  const std::string back = t("federation.back_to_sign_in");
  switch (s.code()) {
    case StatusCode::kNotFound:
      return kit_.pages.Message(req, app, 404, t("federation.option_unavailable_heading"),
                                t("federation.option_unavailable_message"), false, login, back);
    case StatusCode::kFailedPrecondition:
      return kit_.pages.Message(req, app, 409, t("federation.not_signed_in_heading"),
                                Sentence(ServiceText(t, s.message())), false, login, back);
    case StatusCode::kPermissionDenied:
      return kit_.pages.Message(req, app, 403, t("federation.cancelled_heading"),
                                t("federation.cancelled_message"), false, login, back);
    case StatusCode::kUnauthenticated:
      return kit_.pages.Message(req, app, 401, t("federation.not_signed_in_heading"),
                                t("federation.unverified_answer_message"), false, login, back);
    case StatusCode::kInvalidArgument: {  // a bad API-flow request: say which parameter
      std::string what;
      for (const auto& e : s.field_errors()) {
        const i18n::MessageArgs args = {{"parameter", e.field},
                                         {"problem", ServiceText(t, e.message)}};
        what += what.empty() ? t("federation.parameter_problem", args)
                             : "; " + t("federation.parameter_problem_more", args);
      }
      return kit_.pages.Message(req, app, 400, t("federation.invalid_request_heading"),
                                Sentence(what.empty() ? ServiceText(t, s.message()) : what), false,
                                login, back);
    }
    case StatusCode::kRateLimited:
      return WithRetryAfter(
          kit_.pages.Message(req, app, 429, t("federation.too_many_attempts_heading"),
                             t("federation.too_many_attempts_message"), false, login, back),
          s);
    default:
      LogJson(spdlog::level::warn, "federation_page_failed",
              {{"app", app.slug}, {"error", s.ToString()}});
      return kit_.pages.Message(req, app, 503, t("federation.provider_down_heading"),
                                t("federation.provider_down_message"), false, login, back);
  }
}

http::Response FederationPages::ProofForm(const http::Request& req, const store::App& app,
                                          const std::string& ticket, const std::string& error,
                                          unsigned status) {
  auto pending = federation_.PendingLink(app, ticket);
  if (!pending.ok()) {
    if (!pending.status().IsNotFound()) return kit_.pages.Unavailable(req, &app);
    return LinkExpired(req, app);
  }
  PageData d = LinkPageData(kit_.pages.TextsFor(req, &app), *pending);
  d.set("upstream_email", pending->upstream_email);
  d.set("upstream_username", pending->upstream_username);
  // Its password proves the account is theirs, or a link mailed to its address (the only
  // way for an account without a password).
  d.set("has_password", pending->account_has_password);
  d.set("can_mail", pending->can_mail);
  d.set("ticket", ticket);
  d.set("action", kit_.urls.PagePath(app, "federation/link"));
  d.set("mail_action", kit_.urls.PagePath(app, "federation/link/email"));
  d.set("forgot_url", kit_.urls.PagePath(app, "forgot-password"));
  d.set("login_url", kit_.urls.PagePath(app, "login"));
  if (!error.empty()) d.set("error", error);
  return kit_.pages.Page(req, app, "federation_link", std::move(d), status);
}

http::Response FederationPages::ShowProof(http::Request& req, const store::App& app) {
  std::string ticket = http::FormValue(PageQuery(req), "ticket");
  if (ticket.size() > 100) ticket.clear();
  return ProofForm(req, app, ticket, "", 200);
}

http::Response FederationPages::SubmitProof(http::Request& req, const store::App& app,
                                            const http::FormParams& form) {
  std::string ticket = http::FormValue(form, "ticket");
  if (ticket.size() > 100) ticket.clear();
  auto outcome = federation_.ProveWithPassword(app, ticket, http::FormValue(form, "password"),
                                               ClientOf(req));
  if (outcome.ok()) return Outcome(req, app, *outcome);
  const Status& s = outcome.status();
  const i18n::Texts t = kit_.pages.TextsFor(req, &app);
  if (s.code() == StatusCode::kInvalidArgument) {
    return ProofForm(req, app, ticket, t("federation.incorrect_password"), 401);
  }
  if (s.code() == StatusCode::kRateLimited) {
    return WithRetryAfter(
        ProofForm(req, app, ticket, t("federation.too_many_passwords"), 429), s);
  }
  return Failure(req, app, s);
}

http::Response FederationPages::LinkExpired(const http::Request& req, const store::App& app) {
  const i18n::Texts t = kit_.pages.TextsFor(req, &app);
  return kit_.pages.Message(req, app, 410, t("federation.link_expired_heading"),
                            t("federation.link_expired_message"), false,
                            kit_.urls.PagePath(app, "login"), t("federation.back_to_sign_in"));
}

http::Response FederationPages::MailProof(http::Request& req, const store::App& app,
                                          const http::FormParams& form) {
  std::string ticket = http::FormValue(form, "ticket");
  if (ticket.size() > 100) ticket.clear();
  auto sent = federation_.MailProofLink(app, ticket, ClientOf(req));
  const i18n::Texts t = kit_.pages.TextsFor(req, &app);
  if (!sent.ok()) {
    const Status& s = sent.status();
    if (s.code() == StatusCode::kRateLimited) {
      return WithRetryAfter(ProofForm(req, app, ticket, t("federation.too_many_emails"), 429), s);
    }
    if (s.code() == StatusCode::kFailedPrecondition) return LinkExpired(req, app);
    return Failure(req, app, s);
  }
  http::Response r = kit_.pages.Message(
      req, app, 200, t("federation.check_email_heading"),
      t("federation.mail_sent_message", {{"address", sent->address}}), true,
      kit_.urls.PagePath(app, "login"), t("federation.back_to_sign_in"));
  http::SetCookie(r, BindingCookieName(), sent->browser_binding,
                  {kit_.urls.secure(), true, "Lax", "/", kBindingCookieMaxAge});
  return r;
}

http::Response FederationPages::ShowMailedLink(http::Request& req, const store::App& app) {
  std::string token = http::FormValue(PageQuery(req), "token");
  if (token.size() > 100) token.clear();
  auto pending = federation_.MailedLink(app, token);
  if (!pending.ok()) {
    if (!pending.status().IsNotFound()) return kit_.pages.Unavailable(req, &app);
    return LinkExpired(req, app);
  }
  PageData d = LinkPageData(kit_.pages.TextsFor(req, &app), *pending);
  d.set("upstream_label", pending->upstream_username.empty() ? pending->upstream_email
                                                             : pending->upstream_username);
  d.set("token", token);
  d.set("action", kit_.urls.PagePath(app, "federation/link/confirm"));
  d.set("login_url", kit_.urls.PagePath(app, "login"));
  return kit_.pages.Page(req, app, "federation_link_confirm", std::move(d), 200);
}

http::Response FederationPages::ConfirmMailedLink(http::Request& req, const store::App& app,
                                                  const http::FormParams& form) {
  std::string token = http::FormValue(form, "token");
  if (token.size() > 100) token.clear();
  std::string binding = http::GetCookie(req, BindingCookieName()).value_or("");
  auto outcome = federation_.ProveWithMailedLink(app, token, binding, ClientOf(req));
  if (!outcome.ok()) return Failure(req, app, outcome.status());
  http::Response r = Outcome(req, app, *outcome);
  http::SetCookie(r, BindingCookieName(), "", {kit_.urls.secure(), true, "Lax", "/", 0});
  return r;
}

http::Response FederationPages::Unlink(http::Request& req, const BrowserVisit& v,
                                       const http::FormParams&) {
  Status s = federation_.Unlink(v.app, v.session.user_id, req.Param("id"), ClientOf(req));
  std::string done = s.ok()                                           ? "unlinked"
                     : s.code() == StatusCode::kFailedPrecondition ? "unlink-last"
                     : s.IsNotFound()                                ? "unlinked"
                                                                     : "";
  if (done.empty()) return kit_.pages.Unavailable(req, &v.app);
  return Redirect(kit_.urls.Absolute(kit_.urls.PagePath(v.app, "account") + "?done=" + done));
}

}  // namespace tessera::web
