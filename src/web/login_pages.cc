#include "web/login_pages.h"

#include "accounts/sign_in_rules.h"
#include "http/form.h"
#include "tenancy/app_settings.h"
#include "web/browser_sign_in.h"
#include "web/display_text.h"
#include "web/page_errors.h"
#include "web/return_to.h"

namespace tessera::web {
namespace {

namespace bh = http::beast_http;

}  // namespace

void LoginPages::Mount(http::Router& r, const PageGates& gates) {
  using D = http::Dispatch;
  const auto bad_request = UnreadableForm::kBadRequest;
  r.Add(bh::verb::get, "/apps/{app}/login", gates.WithApp(Bind(this, &LoginPages::ShowLogin)));
  r.Add(bh::verb::post, "/apps/{app}/login",
        gates.WithCsrf(Bind(this, &LoginPages::SubmitLogin), bad_request), D::kHashing);
  r.Add(bh::verb::get, "/apps/{app}/signup", gates.WithApp(Bind(this, &LoginPages::ShowSignup)));
  r.Add(bh::verb::post, "/apps/{app}/signup",
        gates.WithCsrf(Bind(this, &LoginPages::SubmitSignup), bad_request), D::kHashing);
  r.Add(bh::verb::get, "/apps/{app}/logout", gates.WithApp(Bind(this, &LoginPages::ShowLogout)));
  r.Add(bh::verb::post, "/apps/{app}/logout",
        gates.WithCsrf(Bind(this, &LoginPages::SubmitLogout)));
}

http::Response LoginPages::LoginForm(const http::Request& req, const store::App& app,
                                     const std::string& return_to, const std::string& identifier,
                                     const std::string& error, unsigned status, PageData d) {
  const store::AppSettings& settings = app.settings;
  // The OIDC request's ui_locales, carried by the form: a pushed request's return_to has none.
  std::string ui_locales = http::FormValue(PageQuery(req), "ui_locales");
  if (ui_locales.empty() && req.raw.method() == http::beast_http::verb::post) {
    if (auto posted = http::ParseForm(req.body()); posted.ok()) {
      ui_locales = http::FormValue(*posted, "ui_locales");
    }
  }
  if (ui_locales.size() > 200) ui_locales.clear();
  d.set("ui_locales", ui_locales);
  const i18n::Texts t = kit_.pages.TextsFor(req, &app, "", ui_locales);
  d.set("title", t("login.title"));
  d.set("action", kit_.urls.PagePath(app, "login"));
  d.set("return_to", return_to);
  d.set("identifier", identifier);
  std::string back = return_to.empty() ? "" : "?return_to=" + http::FormEncode(return_to);
  if (settings.allow_signup) d.set("signup_url", kit_.urls.PagePath(app, "signup") + back);
  d.set("forgot_url", kit_.urls.PagePath(app, "forgot-password"));
  if (settings.magic_link_login)
    d.set("magic_link_url", kit_.urls.PagePath(app, "magic-link") + back);
  if (!error.empty()) d.set("error", error);
  if (std::string client = ClientNameOf(app, return_to); !client.empty())
    d.set("client_name", client);
  if (federation_) {
    federation_->SetProviderButtons(app, return_to, d);
    d.set("divider_text", t("login.divider_email"));
  }
  std::string passkey_binding;
  if (passkeys_) passkeys_->AddPasskeySignIn(req, app, return_to, d, &passkey_binding);
  http::Response page = kit_.pages.Page(req, app, "login", std::move(d), status);
  if (passkeys_) passkeys_->SetPasskeyCookie(page, passkey_binding);
  return page;
}

// The right password for an address still waiting for confirmation (the app signs in
// verified addresses only): the fields were right, so none is marked wrong; the page says
// what to do and offers a new confirmation link.
http::Response LoginPages::UnverifiedForm(const http::Request& req, const store::App& app,
                                          const std::string& return_to,
                                          const std::string& identifier) {
  PageData d;
  d.set("notice", kit_.pages.TextsFor(req, &app)("login.verify_first_notice"));
  d.set("resend_action", kit_.urls.PagePath(app, "verify-email/resend"));
  if (identifier.find('@') != std::string::npos) d.set("resend_email", identifier);
  return LoginForm(req, app, return_to, identifier, "", 403, std::move(d));
}

std::string LoginPages::ClientNameOf(const store::App& app, const std::string& return_to) {
  size_t q = return_to.find('?');
  if (q == std::string::npos ||
      return_to.compare(0, q, kit_.urls.PagePath(app, "oauth/authorize")) != 0) {
    return "";
  }
  auto params = http::ParseForm(std::string_view(return_to).substr(q + 1));
  if (!params.ok() || !params->contains("client_id")) return "";
  auto client = clients_.Find(app, params->at("client_id"));
  return client.ok() ? client->name : "";
}

http::Response LoginPages::ShowLogin(http::Request& req, const store::App& app) {
  std::string return_to =
      SafeReturnTo(kit_.urls, app, http::FormValue(PageQuery(req), "return_to"));
  if (return_to.empty() && kit_.session_cookie.Current(app, req)) {
    return Redirect(kit_.urls.Absolute(kit_.urls.HomePath(app)));
  }
  return LoginForm(req, app, return_to, "", "", 200);
}

http::Response LoginPages::SubmitLogin(http::Request& req, const store::App& app,
                                       const http::FormParams& form) {
  std::string return_to = SafeReturnTo(kit_.urls, app, http::FormValue(form, "return_to"));
  std::string identifier = http::FormValue(form, "identifier");
  if (identifier.size() > 254) identifier.resize(254);
  auto user =
      accounts_.Authenticate(app, identifier, http::FormValue(form, "password"), ClientOf(req));
  if (user.ok()) return SignInBrowser(kit_, req, app, *user, return_to, "pwd");
  const Status& s = user.status();
  if (s.code() == StatusCode::kPermissionDenied) {
    return UnverifiedForm(req, app, return_to, identifier);
  }
  const i18n::Texts t = kit_.pages.TextsFor(req, &app);
  PageFailure failure = PageFailureOf(s, t);
  // One answer for every failed sign-in (no account, wrong password, disabled, no password):
  // nothing tells whether an account exists.
  if (s.code() == StatusCode::kUnauthenticated) failure.message = t("login.bad_credentials");
  if (failure.unavailable()) failure.message = t("login.unavailable");
  return WithRetryAfter(LoginForm(req, app, return_to, identifier, failure.message, failure.status),
                        s);
}

http::Response LoginPages::SignupForm(const http::Request& req, const store::App& app,
                                      const http::FormParams& form,
                                      const std::map<std::string, std::string>& errors,
                                      const std::string& error, unsigned status) {
  const i18n::Texts t = kit_.pages.TextsFor(req, &app);
  PageData d;
  d.set("title", t("signup.title"));
  d.set("action", kit_.urls.PagePath(app, "signup"));
  std::string return_to = http::FormValue(form, "return_to");
  d.set("return_to", return_to);
  d.set("email", http::FormValue(form, "email"));
  d.set("username", http::FormValue(form, "username"));
  for (const auto& [field, message] : errors) d.set(field + "_error", message);
  std::string login = kit_.urls.PagePath(app, "login");
  if (!return_to.empty()) login += "?return_to=" + http::FormEncode(return_to);
  d.set("login_url", login);
  d.set("password_min_length", std::to_string(accounts_.PolicyFor(app).min_length));
  if (!error.empty()) d.set("error", error);
  if (std::string client = ClientNameOf(app, return_to); !client.empty())
    d.set("client_name", client);
  if (federation_) {
    federation_->SetProviderButtons(app, SafeReturnTo(kit_.urls, app, return_to), d);
    d.set("divider_text", t("signup.divider_email"));
  }
  return kit_.pages.Page(req, app, "signup", std::move(d), status);
}

http::Response LoginPages::ShowSignup(http::Request& req, const store::App& app) {
  http::FormParams form;
  form["return_to"] = SafeReturnTo(kit_.urls, app, http::FormValue(PageQuery(req), "return_to"));
  return SignupForm(req, app, form, {}, "", 200);
}

http::Response LoginPages::SubmitSignup(http::Request& req, const store::App& app,
                                        const http::FormParams& posted) {
  http::FormParams form = posted;  // shown again on failure: bounded, return_to checked
  form["return_to"] = SafeReturnTo(kit_.urls, app, http::FormValue(form, "return_to"));
  for (const char* f : {"email", "username"}) {
    if (form[f].size() > 320) form[f].resize(320);
  }
  const i18n::Texts t = kit_.pages.TextsFor(req, &app);
  services::SignupInput in;
  in.email = http::FormValue(form, "email");
  in.password = http::FormValue(form, "password");
  if (!http::FormValue(form, "username").empty()) in.username = http::FormValue(form, "username");
  // The language the page spoke: later mails and pages speak it to this user too. Not when it
  // is the app's default (or English, without one): that is no choice of the person's, and
  // the user then follows a later change of the default.
  const std::string_view app_default =
      app.settings.default_locale.empty() ? std::string_view("en") : std::string_view(app.settings.default_locale);
  if (t.locale() != app_default) in.profile["locale"] = t.locale();
  auto user = accounts_.Signup(app, std::move(in), ClientOf(req));
  if (user.ok() && !services::SessionAllowed(app, *user).ok()) {
    // The app signs in verified addresses only: the account waits for its link (issue 11,
    // item 4), and the way back in is the sign-in page, with where the user was going.
    std::string login = kit_.urls.PagePath(app, "login");
    if (std::string back = http::FormValue(form, "return_to"); !back.empty()) {
      login += "?return_to=" + http::FormEncode(back);
    }
    return kit_.pages.Message(req, app, 200, t("signup.check_inbox_heading"),
                              t("signup.check_inbox_message", {{"email", user->email}}), true,
                              login, t("signup.go_to_sign_in"));
  }
  if (user.ok()) {
    // Landing on the account page: it says a confirmation link is on its way. (The console
    // app's home is the console, which keeps its own URL.)
    std::string target = http::FormValue(form, "return_to");
    const std::string account = kit_.urls.PagePath(app, "account");
    if (target.empty() && !user->email_verified && kit_.urls.HomePath(app) == account) {
      target = account + "?done=welcome";
    }
    return SignInBrowser(kit_, req, app, *user, target, "pwd");
  }
  const Status& s = user.status();
  const PageFailure failure = PageFailureOf(s, t);
  if (s.code() == StatusCode::kPermissionDenied) {
    return SignupForm(req, app, form, {}, t("signup.closed"), failure.status);
  }
  if (s.code() == StatusCode::kInvalidArgument || s.IsAlreadyExists()) {
    // "is already registered" on signup is inherent to signup forms; the API says the same.
    std::map<std::string, std::string> errors;
    // Next to each field, as a sentence: "Email is already registered."
    for (const auto& e : s.field_errors()) {
      std::string label = e.field == "email"      ? t("signup.email_label")
                          : e.field == "username" ? t("signup.username_label")
                          : e.field == "password" ? t("signup.password_label")
                                                  : e.field;
      errors.emplace(e.field, FieldSentence(t, label, e.message));
    }
    return SignupForm(req, app, form, errors, t("signup.check_fields"), 400);
  }
  return SignupForm(req, app, form, {}, t("signup.unavailable"), 503);
}

http::Response LoginPages::SignedOut(const http::Request& req, const store::App& app) {
  const i18n::Texts t = kit_.pages.TextsFor(req, &app);
  PageData d;
  d.set("title", t("pages.logged_out_title"));
  d.set("message", t("pages.logged_out_message",
                     {{"app_name", store::DisplayName(app.settings, app.name)}}));
  d.set("login_url", kit_.urls.PagePath(app, "login"));
  return kit_.pages.Page(req, app, "logged_out", std::move(d));
}

http::Response LoginPages::ShowLogout(http::Request& req, const store::App& app) {
  if (!kit_.session_cookie.Current(app, req)) return SignedOut(req, app);
  PageData d;
  d.set("title", kit_.pages.TextsFor(req, &app)("pages.logout_title"));
  d.set("action", kit_.urls.PagePath(app, "logout"));
  d.set("hidden", PageData(PageData::type::list));
  return kit_.pages.Page(req, app, "logout", std::move(d));
}

http::Response LoginPages::SubmitLogout(http::Request& req, const store::App& app,
                                        const http::FormParams& form) {
  if (http::FormValue(form, "decision") == "stay") {
    return Redirect(kit_.urls.Absolute(kit_.urls.HomePath(app)));
  }
  if (auto session = kit_.session_cookie.Current(app, req)) {
    (void)kit_.browser_sessions.End(app, *session, store::RevokeReason::kLogout);
  }
  http::Response r = SignedOut(req, app);
  kit_.session_cookie.Clear(r, app);
  return r;
}

}  // namespace tessera::web
