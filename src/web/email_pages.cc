#include "web/email_pages.h"

#include "tenancy/app_settings.h"
#include "web/browser_sign_in.h"
#include "web/display_text.h"
#include "web/page_errors.h"
#include "web/return_to.h"
#include "web/service_messages.h"

namespace tessera::web {
namespace {

namespace bh = http::beast_http;

// "The link works for 30 minutes.": a link's lifetime in the unit DurationText would use
// (minutes under an hour or when the hours are not whole, hours under two days or when the
// days are not whole, else days), as a plural message of the page's language.
std::string LinkLifetime(const i18n::Texts& t, int64_t seconds) {
  const int64_t minutes = seconds < 60 ? 1 : (seconds + 30) / 60;
  if (minutes < 60 || minutes % 60 != 0) {
    return t("email.link_works_minutes", {{"count", std::to_string(minutes)}});
  }
  const int64_t hours = minutes / 60;
  if (hours < 48 || hours % 24 != 0) {
    return t("email.link_works_hours", {{"count", std::to_string(hours)}});
  }
  return t("email.link_works_days", {{"count", std::to_string(hours / 24)}});
}

}  // namespace

void EmailPages::Mount(http::Router& r, const PageGates& gates) {
  using D = http::Dispatch;
  const std::string base = "/apps/{app}";
  auto get = [&](const std::string& path,
                 http::Response (EmailPages::*page)(http::Request&, const App&)) {
    r.Add(bh::verb::get, base + path, gates.WithApp(Bind(this, page)));
  };
  auto post = [&](const std::string& path,
                  http::Response (EmailPages::*page)(http::Request&, const App&, const Form&),
                  D dispatch = D::kWorker) {
    r.Add(bh::verb::post, base + path, gates.WithCsrf(Bind(this, page)), dispatch);
  };
  // A mail's link only shows a button (mail scanners open links); the POST uses the token.
  get("/verify-email", &EmailPages::ShowVerifyEmail);
  post("/verify-email", &EmailPages::VerifyEmail);
  post("/verify-email/resend", &EmailPages::ResendVerification);
  get("/forgot-password", &EmailPages::ShowForgot);
  post("/forgot-password", &EmailPages::SubmitForgot);
  get("/reset-password", &EmailPages::ShowReset);
  post("/reset-password", &EmailPages::SubmitReset, D::kHashing);
  get("/magic-link", &EmailPages::ShowMagicLink);
  post("/magic-link", &EmailPages::SubmitMagicLink);
  get("/magic-link/continue", &EmailPages::ShowContinue);
  post("/magic-link/continue", &EmailPages::SubmitContinue);
  get("/email-code", &EmailPages::ShowCode);
  post("/email-code", &EmailPages::SubmitCode);
  get("/confirm-email-change", &EmailPages::ShowConfirmEmailChange);
  post("/confirm-email-change", &EmailPages::ConfirmEmailChange);
  // Without a session these go to the sign-in page, which then leads to the app's home.
  r.Add(
      bh::verb::post, base + "/account/email",
      gates.WithBrowserSession(AfterSignIn::kDefault, Bind(this, &EmailPages::AccountChangeEmail)),
      D::kHashing);
  r.Add(bh::verb::post, base + "/account/verification",
        gates.WithBrowserSession(AfterSignIn::kDefault,
                                 Bind(this, &EmailPages::AccountSendVerification)));
}

// A link that failed: the service's explanation for a used, expired or unknown link (it says
// what to do) as a 400, a generic one otherwise; with a button to `retry_page` saying the
// message `retry_key`.
http::Response EmailPages::LinkFailure(const http::Request& req, const App& app,
                                       const Status& status, std::string_view retry_page,
                                       std::string_view retry_key) {
  const i18n::Texts t = kit_.pages.TextsFor(req, &app);
  bool explained = status.code() == StatusCode::kFailedPrecondition || status.IsNotFound() ||
                   status.code() == StatusCode::kUnauthenticated;
  return kit_.pages.Message(req, app, explained ? 400 : 503, t("email.link_unusable_heading"),
                            explained ? ServiceText(t, status.message()) : t("email.try_again"),
                            false, kit_.urls.PagePath(app, retry_page), t(retry_key));
}

http::Response EmailPages::BackToAccount(const App& app, const std::string& done) {
  return Redirect(kit_.urls.Absolute(kit_.urls.PagePath(app, "account") + "?done=" + done));
}

// The magic link's "Continue" page with another heading (the messages `heading_key` and
// `subtitle_key`): a GET changes nothing; the form posts the token back (CSRF-checked by its
// double-submit cookie, so no session is needed).
http::Response EmailPages::LinkContinue(http::Request& req, const App& app, std::string_view page,
                                        std::string_view heading_key,
                                        std::string_view subtitle_key) {
  const i18n::Texts t = kit_.pages.TextsFor(req, &app);
  PageData d;
  d.set("title", t(heading_key));
  d.set("heading", t(heading_key));
  d.set("subtitle", t(subtitle_key));
  d.set("fine_print", t("email.nothing_changes"));
  d.set("action", kit_.urls.PagePath(app, page));
  d.set("token", http::FormValue(PageQuery(req), "token").substr(0, 128));
  return kit_.pages.Page(req, app, "magic_continue", std::move(d));
}

http::Response EmailPages::ShowVerifyEmail(http::Request& req, const App& app) {
  return LinkContinue(req, app, "verify-email", "email.verify_heading", "email.verify_subtitle");
}

http::Response EmailPages::VerifyEmail(http::Request& req, const App& app, const Form& form) {
  auto user = verification_.Verify(app, http::FormValue(form, "token").substr(0, 128));
  if (!user.ok()) return LinkFailure(req, app, user.status(), "account", "email.go_to_account");
  // The address is the user's now: their saved language, where they chose one.
  const i18n::Texts t = kit_.pages.TextsFor(req, &app, ProfileLocale(*user));
  return kit_.pages.Message(req, app, 200, t("email.verified_heading"),
                            t("email.verified_message", {{"email", user->email}}), true,
                            kit_.urls.PagePath(app, "account"), t("email.continue"),
                            ProfileLocale(*user));
}

// The sign-in page's "Send a new link" for an address still waiting for confirmation: the
// same answer whether or not it is one (no enumeration), and a way on from it.
http::Response EmailPages::ResendVerification(http::Request& req, const App& app,
                                              const Form& form) {
  const i18n::Texts t = kit_.pages.TextsFor(req, &app);
  std::string email = http::FormValue(form, "email").substr(0, 320);
  Status s = verification_.ResendVerification(app, email, ClientOf(req), kit_.pages.TextsFor(req, &app).locale());
  if (!s.ok() && s.code() != StatusCode::kInvalidArgument) {
    PageFailure failure = PageFailureOf(s, t);
    return kit_.pages.Message(req, app, failure.status, t("email.resend_failed_heading"),
                              failure.message, false, kit_.urls.PagePath(app, "login"),
                              t("email.back_to_sign_in"));
  }
  if (!s.ok()) {
    return kit_.pages.Message(req, app, 400, t("email.enter_valid_email_heading"),
                              t("email.resend_invalid_message"), false,
                              kit_.urls.PagePath(app, "login"), t("email.back_to_sign_in"));
  }
  return kit_.pages.Message(req, app, 200, t("email.check_email_heading"),
                            t("email.resend_sent_message", {{"email", email}}), true,
                            kit_.urls.PagePath(app, "login"), t("email.back_to_sign_in"));
}

http::Response EmailPages::ForgotForm(const http::Request& req, const App& app,
                                      const std::string& email, const std::string& error,
                                      unsigned status) {
  const i18n::Texts t = kit_.pages.TextsFor(req, &app);
  PageData d;
  d.set("title", t("email.forgot_title"));
  d.set("action", kit_.urls.PagePath(app, "forgot-password"));
  d.set("email", email);
  d.set("login_url", kit_.urls.PagePath(app, "login"));
  if (!error.empty()) d.set("error", error);
  return kit_.pages.Page(req, app, "forgot_password", std::move(d), status);
}

http::Response EmailPages::ShowForgot(http::Request& req, const App& app) {
  return ForgotForm(req, app, "", "", 200);
}

http::Response EmailPages::SubmitForgot(http::Request& req, const App& app, const Form& form) {
  const i18n::Texts t = kit_.pages.TextsFor(req, &app);
  std::string email = http::FormValue(form, "email").substr(0, 320);
  Status s = resets_.RequestReset(app, email, ClientOf(req), kit_.pages.TextsFor(req, &app).locale());
  if (!s.ok()) {
    PageFailure failure = PageFailureOf(s, t);
    if (s.code() == StatusCode::kInvalidArgument) failure.message = t("email.enter_valid_email");
    return ForgotForm(req, app, email, Sentence(failure.message), failure.status);
  }
  return kit_.pages.Message(req, app, 200, t("email.check_email_heading"),
                            t("email.reset_sent_message", {{"email", email}}) + " " +
                                LinkLifetime(t, resets_.link_ttl_s()),
                            true, kit_.urls.PagePath(app, "login"), t("email.back_to_sign_in"));
}

http::Response EmailPages::ResetForm(const http::Request& req, const App& app,
                                     const std::string& token, const std::string& error,
                                     unsigned status) {
  const i18n::Texts t = kit_.pages.TextsFor(req, &app);
  PageData d;
  d.set("title", t("email.reset_title"));
  d.set("action", kit_.urls.PagePath(app, "reset-password"));
  d.set("token", token);
  d.set("password_min_length", std::to_string(accounts_.PolicyFor(app).min_length));
  if (!error.empty()) d.set("password_error", error);
  return kit_.pages.Page(req, app, "reset_password", std::move(d), status);
}

http::Response EmailPages::ShowReset(http::Request& req, const App& app) {
  std::string token = http::FormValue(PageQuery(req), "token").substr(0, 128);
  // Checked on opening (a look, which spends nothing): a used, expired or unknown link says
  // so at once rather than after the user typed a new password.
  Status usable = resets_.CheckLink(app, token);
  if (usable.code() == StatusCode::kFailedPrecondition || usable.IsNotFound()) {
    const i18n::Texts t = kit_.pages.TextsFor(req, &app);
    return kit_.pages.Message(req, app, 400, t("email.link_unusable_heading"),
                              ServiceText(t, usable.message()), false,
                              kit_.urls.PagePath(app, "forgot-password"), t("email.ask_new_link"));
  }
  return ResetForm(req, app, token, "", 200);
}

http::Response EmailPages::SubmitReset(http::Request& req, const App& app, const Form& form) {
  const i18n::Texts t = kit_.pages.TextsFor(req, &app);
  std::string token = http::FormValue(form, "token").substr(0, 128);
  Status s = resets_.ResetPassword(app, token, http::FormValue(form, "new_password"), kit_.pages.TextsFor(req, &app).locale());
  if (s.ok()) {
    return kit_.pages.Message(req, app, 200, t("email.password_changed_heading"),
                              t("email.password_changed_message"), true,
                              kit_.urls.PagePath(app, "login"), t("email.sign_in"));
  }
  if (s.code() == StatusCode::kInvalidArgument) {
    std::string why = s.field_errors().empty() ? s.message() : s.field_errors().front().message;
    return ResetForm(req, app, token,
                     t("email.new_password_refused", {{"reason", ServiceText(t, why)}}), 400);
  }
  // A used, expired or unknown link is the link's problem, not the form's: a 400 that says so.
  if (s.code() == StatusCode::kFailedPrecondition || s.IsNotFound()) {
    return kit_.pages.Message(req, app, 400, t("email.link_unusable_heading"),
                              ServiceText(t, s.message()), false,
                              kit_.urls.PagePath(app, "forgot-password"), t("email.ask_new_link"));
  }
  return ResetForm(req, app, token, t("email.try_again"), 503);
}

http::Response EmailPages::MagicForm(const http::Request& req, const App& app,
                                     const std::string& email, const std::string& return_to,
                                     const std::string& error, unsigned status) {
  const i18n::Texts t = kit_.pages.TextsFor(req, &app);
  PageData d;
  d.set("title", t("email.magic_title"));
  d.set("action", kit_.urls.PagePath(app, "magic-link"));
  d.set("email", email);
  d.set("return_to", return_to);
  std::string login = kit_.urls.PagePath(app, "login");
  if (!return_to.empty()) login += "?return_to=" + http::FormEncode(return_to);
  d.set("login_url", login);
  d.set("code_supported", app.settings.email_code_login);
  if (!error.empty()) d.set("error", error);
  return kit_.pages.Page(req, app, "magic_link", std::move(d), status);
}

http::Response EmailPages::ShowMagicLink(http::Request& req, const App& app) {
  std::string return_to =
      SafeReturnTo(kit_.urls, app, http::FormValue(PageQuery(req), "return_to"));
  return MagicForm(req, app, "", return_to, "", 200);
}

http::Response EmailPages::SubmitMagicLink(http::Request& req, const App& app, const Form& form) {
  std::string email = http::FormValue(form, "email").substr(0, 320);
  std::string return_to = SafeReturnTo(kit_.urls, app, http::FormValue(form, "return_to"));
  bool code = http::FormValue(form, "method") == "code";
  Status s = code ? passwordless_.RequestCode(app, email, ClientOf(req), kit_.pages.TextsFor(req, &app).locale())
                  : passwordless_.RequestLink(app, email, {"", return_to}, ClientOf(req), kit_.pages.TextsFor(req, &app).locale());
  if (!s.ok()) {
    const i18n::Texts t = kit_.pages.TextsFor(req, &app);
    PageFailure failure = PageFailureOf(s, t);
    if (s.code() == StatusCode::kInvalidArgument) failure.message = t("email.enter_valid_email");
    return MagicForm(req, app, email, return_to, Sentence(failure.message), failure.status);
  }
  if (code) {
    std::string next = kit_.urls.PagePath(app, "email-code") + "?email=" + http::FormEncode(email);
    if (!return_to.empty()) next += "&return_to=" + http::FormEncode(return_to);
    return Redirect(kit_.urls.Absolute(next));
  }
  return MagicSent(req, app, email, return_to);
}

// "Check your email" with ways on: the same link again, a code instead (where the app allows
// codes), or back to the sign-in page.
http::Response EmailPages::MagicSent(const http::Request& req, const App& app,
                                     const std::string& email, const std::string& return_to) {
  const i18n::Texts t = kit_.pages.TextsFor(req, &app);
  PageData d;
  d.set("title", t("email.check_email_heading"));
  d.set("email", email);
  d.set("return_to", return_to);
  d.set("action", kit_.urls.PagePath(app, "magic-link"));
  d.set("code_supported", app.settings.email_code_login);
  std::string login = kit_.urls.PagePath(app, "login");
  if (!return_to.empty()) login += "?return_to=" + http::FormEncode(return_to);
  d.set("login_url", login);
  return kit_.pages.Page(req, app, "magic_sent", std::move(d));
}

http::Response EmailPages::ShowContinue(http::Request& req, const App& app) {
  const http::QueryParams query = PageQuery(req);
  const i18n::Texts t = kit_.pages.TextsFor(req, &app);
  PageData d;
  d.set("title", t("email.continue_title"));
  std::string action = kit_.urls.PagePath(app, "magic-link/continue");
  std::string return_to = SafeReturnTo(kit_.urls, app, http::FormValue(query, "return_to"));
  if (!return_to.empty()) action += "?return_to=" + http::FormEncode(return_to);
  d.set("action", action);
  d.set("token", http::FormValue(query, "token").substr(0, 128));
  return kit_.pages.Page(req, app, "magic_continue", std::move(d));
}

http::Response EmailPages::SubmitContinue(http::Request& req, const App& app, const Form& form) {
  std::string return_to =
      SafeReturnTo(kit_.urls, app, http::FormValue(PageQuery(req), "return_to"));
  auto user = passwordless_.ConsumeLink(app, http::FormValue(form, "token"), ClientOf(req),
                                          kit_.pages.TextsFor(req, &app).locale());
  if (!user.ok()) return LinkFailure(req, app, user.status(), "magic-link", "email.get_new_link");
  return SignInBrowser(kit_, req, app, *user, return_to, "otp");
}

http::Response EmailPages::CodeForm(const http::Request& req, const App& app,
                                    const std::string& email, const std::string& return_to,
                                    const std::string& error, unsigned status) {
  const i18n::Texts t = kit_.pages.TextsFor(req, &app);
  PageData d;
  d.set("title", t("email.code_title"));
  d.set("action", kit_.urls.PagePath(app, "email-code"));
  d.set("email", email);
  d.set("return_to", return_to);
  std::string resend = kit_.urls.PagePath(app, "magic-link");
  if (!return_to.empty()) resend += "?return_to=" + http::FormEncode(return_to);
  d.set("resend_url", resend);
  if (!error.empty()) d.set("code_error", error);
  return kit_.pages.Page(req, app, "email_code", std::move(d), status);
}

http::Response EmailPages::ShowCode(http::Request& req, const App& app) {
  const http::QueryParams query = PageQuery(req);
  std::string email = http::FormValue(query, "email").substr(0, 320);
  std::string return_to = SafeReturnTo(kit_.urls, app, http::FormValue(query, "return_to"));
  // Opened directly (no address, so no code was sent): the form that asks for one.
  if (email.empty()) return MagicForm(req, app, "", return_to, "", 200);
  return CodeForm(req, app, email, return_to, "", 200);
}

http::Response EmailPages::SubmitCode(http::Request& req, const App& app, const Form& form) {
  std::string email = http::FormValue(form, "email").substr(0, 320);
  std::string return_to = SafeReturnTo(kit_.urls, app, http::FormValue(form, "return_to"));
  auto user = passwordless_.ConsumeCode(app, email, http::FormValue(form, "code"), ClientOf(req),
                                          kit_.pages.TextsFor(req, &app).locale());
  if (user.ok()) return SignInBrowser(kit_, req, app, *user, return_to, "otp");
  // A wrong code is 401; a spent one (used, expired, too many tries) is the code's problem: 400.
  const Status& s = user.status();
  unsigned status = s.code() == StatusCode::kUnauthenticated      ? 401
                    : s.code() == StatusCode::kFailedPrecondition ? 400
                                                                  : 503;
  const i18n::Texts t = kit_.pages.TextsFor(req, &app);
  return CodeForm(req, app, email, return_to,
                  status == 503 ? t("email.try_again") : Sentence(ServiceText(t, s.message())),
                  status);
}

http::Response EmailPages::ShowConfirmEmailChange(http::Request& req, const App& app) {
  return LinkContinue(req, app, "confirm-email-change", "email.change_heading",
                      "email.change_subtitle");
}

http::Response EmailPages::ConfirmEmailChange(http::Request& req, const App& app,
                                              const Form& form) {
  auto user =
      verification_.ConfirmEmailChange(app, http::FormValue(form, "token").substr(0, 128),
                                       kit_.pages.TextsFor(req, &app).locale());
  if (!user.ok()) return LinkFailure(req, app, user.status(), "account", "email.go_to_account");
  const i18n::Texts t = kit_.pages.TextsFor(req, &app, ProfileLocale(*user));
  return kit_.pages.Message(req, app, 200, t("email.changed_heading"),
                            t("email.changed_message", {{"email", user->email}}), true,
                            kit_.urls.PagePath(app, "account"), t("email.continue"),
                            ProfileLocale(*user));
}

http::Response EmailPages::AccountChangeEmail(http::Request& req, const BrowserVisit& v,
                                              const Form& form) {
  Status s =
      verification_.RequestEmailChange(v.app, v.session.user_id, http::FormValue(form, "new_email"),
                                       http::FormValue(form, "current_password"), ClientOf(req),
                                       kit_.pages.TextsFor(req, &v.app).locale());
  if (s.ok()) return BackToAccount(v.app, "email");
  bool password_refused =
      !s.field_errors().empty() && s.field_errors().front().field == "current_password";
  bool wrong_password = s.code() == StatusCode::kInvalidArgument && password_refused;
  if (s.code() == StatusCode::kRateLimited && password_refused) {
    return BackToAccount(v.app, "email-password-limited");
  }
  return BackToAccount(v.app, s.code() == StatusCode::kRateLimited       ? "email-limited"
                              : wrong_password                           ? "email-password"
                              : s.code() == StatusCode::kInvalidArgument ? "email-invalid"
                                                                         : "email-failed");
}

http::Response EmailPages::AccountSendVerification(http::Request& req, const BrowserVisit& v,
                                                   const Form&) {
  auto user = accounts_.GetUser(v.app, v.session.user_id);
  Status s =
      user.ok() ? verification_.SendVerification(v.app, *user, ClientOf(req), kit_.pages.TextsFor(req, &v.app).locale()) : user.status();
  return BackToAccount(v.app, s.ok()                                 ? "verification"
                              : s.code() == StatusCode::kRateLimited ? "email-limited"
                                                                     : "email-failed");
}

}  // namespace tessera::web
