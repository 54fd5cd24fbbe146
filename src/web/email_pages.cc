#include "web/email_pages.h"

#include "http/form.h"
#include "tenancy/app_settings.h"
#include "web/login_pages.h"

namespace tessera::web {
namespace {

namespace bh = http::beast_http;
using Params = http::FormParams;

}  // namespace

void EmailPages::Mount(http::Router& r) {
  using D = http::Dispatch;
  auto bind = [this](http::Response (EmailPages::*fn)(http::Request&)) {
    return [this, fn](http::Request& req) { return (this->*fn)(req); };
  };
  const std::string base = "/apps/{app}";
  r.Add(bh::verb::get, base + "/verify-email", bind(&EmailPages::VerifyEmail));
  r.Add(bh::verb::get, base + "/forgot-password", bind(&EmailPages::ShowForgot));
  r.Add(bh::verb::post, base + "/forgot-password", bind(&EmailPages::SubmitForgot));
  r.Add(bh::verb::get, base + "/reset-password", bind(&EmailPages::ShowReset));
  r.Add(bh::verb::post, base + "/reset-password", bind(&EmailPages::SubmitReset), D::kHashing);
  r.Add(bh::verb::get, base + "/magic-link", bind(&EmailPages::ShowMagicLink));
  r.Add(bh::verb::post, base + "/magic-link", bind(&EmailPages::SubmitMagicLink));
  r.Add(bh::verb::get, base + "/magic-link/continue", bind(&EmailPages::ShowContinue));
  r.Add(bh::verb::post, base + "/magic-link/continue", bind(&EmailPages::SubmitContinue));
  r.Add(bh::verb::get, base + "/email-code", bind(&EmailPages::ShowCode));
  r.Add(bh::verb::post, base + "/email-code", bind(&EmailPages::SubmitCode));
  r.Add(bh::verb::get, base + "/confirm-email-change", bind(&EmailPages::ConfirmEmailChange));
  r.Add(bh::verb::post, base + "/account/email", bind(&EmailPages::AccountChangeEmail), D::kHashing);
  r.Add(bh::verb::post, base + "/account/verification", bind(&EmailPages::AccountSendVerification));
}

// Resolves the app and reads the query (GET) or the CSRF-checked form (POST) into `params`;
// returns the response to send instead when that fails.
#define TESSERA_PAGE_PRELUDE(is_post)                                                          \
  auto app = web_.apps().Resolve(req.Param("app"));                                             \
  if (!app.ok()) return web_.UnknownApp(req); \
  Params params;                                                                                \
  if (is_post) {                                                                                \
    auto form = ReadForm(req);                                                                  \
    if (!form || !web_.CsrfOk(req, *form)) {                                                    \
      return web_.CsrfRejected(req, *app);                                                      \
    }                                                                                           \
    params = std::move(*form);                                                                  \
  } else if (auto q = QueryOf(req)) {                                                           \
    params = std::move(*q);                                                                     \
  }

// A link that failed: the service's explanation for a used, expired or unknown link (it says
// what to do), a generic one otherwise; with a button to `retry_page`.
http::Response EmailPages::LinkFailure(const http::Request& req, const store::App& app,
                                       const Status& status, std::string_view retry_page,
                                       std::string_view retry_text) {
  bool explained = status.code() == StatusCode::kFailedPrecondition || status.IsNotFound() ||
                   status.code() == StatusCode::kUnauthenticated;
  return web_.Message(req, app, explained ? 400 : 503, "This link can’t be used",
                      explained ? status.message() : "Please try again in a moment.", false,
                      web_.PagePath(app, retry_page), retry_text);
}

http::Response EmailPages::VerifyEmail(http::Request& req) {
  TESSERA_PAGE_PRELUDE(false)
  auto user = verification_.Verify(*app, http::FormValue(params, "token"));
  if (!user.ok()) return LinkFailure(req, *app, user.status(), "account", "Go to your account");
  return web_.Message(req, *app, 200, "Your email is verified",
                      "Thank you: " + user->email + " is confirmed.", true,
                      web_.PagePath(*app, "account"), "Continue");
}

http::Response EmailPages::ForgotForm(const http::Request& req, const store::App& app,
                                      const std::string& email, const std::string& error,
                                      unsigned status) {
  PageData d;
  d.set("title", "Reset your password");
  d.set("action", web_.PagePath(app, "forgot-password"));
  d.set("email", email);
  d.set("login_url", web_.PagePath(app, "login"));
  if (!error.empty()) d.set("error", error);
  return web_.Page(req, app, "forgot_password", std::move(d), status);
}

http::Response EmailPages::ShowForgot(http::Request& req) {
  TESSERA_PAGE_PRELUDE(false)
  return ForgotForm(req, *app, "", "", 200);
}

http::Response EmailPages::SubmitForgot(http::Request& req) {
  TESSERA_PAGE_PRELUDE(true)
  std::string email = http::FormValue(params, "email").substr(0, 320);
  Status s = resets_.RequestReset(*app, email, WebContext::ClientOf(req));
  if (s.code() == StatusCode::kInvalidArgument) {
    return ForgotForm(req, *app, email, "Enter a valid email address.", 400);
  }
  if (s.code() == StatusCode::kRateLimited) return ForgotForm(req, *app, email, s.message(), 429);
  if (!s.ok()) return ForgotForm(req, *app, email, "Please try again in a moment.", 503);
  return web_.Message(req, *app, 200, "Check your email",
                      "If an account uses " + email + ", we sent it a link to reset the password. "
                      "The link works for 30 minutes.",
                      true, web_.PagePath(*app, "login"), "Back to sign in");
}

http::Response EmailPages::ResetForm(const http::Request& req, const store::App& app,
                                     const std::string& token, const std::string& error,
                                     unsigned status) {
  PageData d;
  d.set("title", "Choose a new password");
  d.set("action", web_.PagePath(app, "reset-password"));
  d.set("token", token);
  d.set("password_min_length", std::to_string(accounts_.PolicyFor(app).min_length));
  if (!error.empty()) d.set("password_error", error);
  return web_.Page(req, app, "reset_password", std::move(d), status);
}

http::Response EmailPages::ShowReset(http::Request& req) {
  TESSERA_PAGE_PRELUDE(false)
  return ResetForm(req, *app, http::FormValue(params, "token").substr(0, 128), "", 200);
}

http::Response EmailPages::SubmitReset(http::Request& req) {
  TESSERA_PAGE_PRELUDE(true)
  std::string token = http::FormValue(params, "token").substr(0, 128);
  Status s = resets_.ResetPassword(*app, token, http::FormValue(params, "new_password"));
  if (s.ok()) {
    return web_.Message(req, *app, 200, "Your password was changed",
                        "Every session was signed out. Sign in with your new password.", true,
                        web_.PagePath(*app, "login"), "Sign in");
  }
  if (s.code() == StatusCode::kInvalidArgument) {
    std::string why = s.field_errors().empty() ? s.message() : s.field_errors().front().message;
    return ResetForm(req, *app, token, "The new password " + why + ".", 400);
  }
  if (s.code() == StatusCode::kFailedPrecondition || s.IsNotFound()) {
    return web_.Message(req, *app, 400, "This link can’t be used", s.message(), false,
                        web_.PagePath(*app, "forgot-password"), "Ask for a new link");
  }
  return ResetForm(req, *app, token, "Please try again in a moment.", 503);
}

http::Response EmailPages::MagicForm(const http::Request& req, const store::App& app,
                                     const std::string& email, const std::string& return_to,
                                     const std::string& error, unsigned status) {
  PageData d;
  d.set("title", "Sign in with email");
  d.set("action", web_.PagePath(app, "magic-link"));
  d.set("email", email);
  d.set("return_to", return_to);
  std::string login = web_.PagePath(app, "login");
  if (!return_to.empty()) login += "?return_to=" + http::FormEncode(return_to);
  d.set("login_url", login);
  d.set("code_supported", app.settings.email_code_login);
  if (!error.empty()) d.set("error", error);
  return web_.Page(req, app, "magic_link", std::move(d), status);
}

http::Response EmailPages::ShowMagicLink(http::Request& req) {
  TESSERA_PAGE_PRELUDE(false)
  return MagicForm(req, *app, "", web_.SafeReturnTo(*app, http::FormValue(params, "return_to")), "", 200);
}

http::Response EmailPages::SubmitMagicLink(http::Request& req) {
  TESSERA_PAGE_PRELUDE(true)
  std::string email = http::FormValue(params, "email").substr(0, 320);
  std::string return_to = web_.SafeReturnTo(*app, http::FormValue(params, "return_to"));
  bool code = http::FormValue(params, "method") == "code";
  Status s = code ? passwordless_.RequestCode(*app, email, WebContext::ClientOf(req))
                  : passwordless_.RequestLink(*app, email, {"", return_to}, WebContext::ClientOf(req));
  if (s.code() == StatusCode::kInvalidArgument) {
    return MagicForm(req, *app, email, return_to, "Enter a valid email address.", 400);
  }
  if (s.code() == StatusCode::kRateLimited || s.code() == StatusCode::kPermissionDenied) {
    return MagicForm(req, *app, email, return_to, s.message(),
                     s.code() == StatusCode::kRateLimited ? 429 : 403);
  }
  if (!s.ok()) return MagicForm(req, *app, email, return_to, "Please try again in a moment.", 503);
  if (code) {
    std::string next = web_.PagePath(*app, "email-code") + "?email=" + http::FormEncode(email);
    if (!return_to.empty()) next += "&return_to=" + http::FormEncode(return_to);
    return WebContext::Redirect(web_.Absolute(next));
  }
  return web_.Message(req, *app, 200, "Check your email",
                      "If " + email + " can sign in here, we sent it a link. It works for 15 "
                      "minutes, once, and only the newest link works.",
                      true);
}

http::Response EmailPages::ShowContinue(http::Request& req) {
  TESSERA_PAGE_PRELUDE(false)
  PageData d;
  d.set("title", "Continue signing in");
  std::string action = web_.PagePath(*app, "magic-link/continue");
  std::string return_to = web_.SafeReturnTo(*app, http::FormValue(params, "return_to"));
  if (!return_to.empty()) action += "?return_to=" + http::FormEncode(return_to);
  d.set("action", action);
  d.set("token", http::FormValue(params, "token").substr(0, 128));
  return web_.Page(req, *app, "magic_continue", std::move(d));
}

http::Response EmailPages::SubmitContinue(http::Request& req) {
  TESSERA_PAGE_PRELUDE(true)
  auto query = QueryOf(req);
  std::string return_to = query ? web_.SafeReturnTo(*app, http::FormValue(*query, "return_to")) : "";
  auto user = passwordless_.ConsumeLink(*app, http::FormValue(params, "token"));
  if (!user.ok()) return LinkFailure(req, *app, user.status(), "magic-link", "Get a new link");
  return web_.SignIn(req, *app, *user, return_to);
}

http::Response EmailPages::CodeForm(const http::Request& req, const store::App& app,
                                    const std::string& email, const std::string& return_to,
                                    const std::string& error, unsigned status) {
  PageData d;
  d.set("title", "Enter the code");
  d.set("action", web_.PagePath(app, "email-code"));
  d.set("email", email);
  d.set("return_to", return_to);
  std::string resend = web_.PagePath(app, "magic-link");
  if (!return_to.empty()) resend += "?return_to=" + http::FormEncode(return_to);
  d.set("resend_url", resend);
  if (!error.empty()) d.set("code_error", error);
  return web_.Page(req, app, "email_code", std::move(d), status);
}

http::Response EmailPages::ShowCode(http::Request& req) {
  TESSERA_PAGE_PRELUDE(false)
  return CodeForm(req, *app, http::FormValue(params, "email").substr(0, 320),
                  web_.SafeReturnTo(*app, http::FormValue(params, "return_to")), "", 200);
}

http::Response EmailPages::SubmitCode(http::Request& req) {
  TESSERA_PAGE_PRELUDE(true)
  std::string email = http::FormValue(params, "email").substr(0, 320);
  std::string return_to = web_.SafeReturnTo(*app, http::FormValue(params, "return_to"));
  auto user = passwordless_.ConsumeCode(*app, email, http::FormValue(params, "code"));
  if (!user.ok()) {
    unsigned status = user.status().code() == StatusCode::kUnauthenticated ? 401
                      : user.status().code() == StatusCode::kFailedPrecondition ? 400 : 503;
    return CodeForm(req, *app, email, return_to,
                    status == 503 ? "Please try again in a moment." : user.status().message(), status);
  }
  return web_.SignIn(req, *app, *user, return_to);
}

http::Response EmailPages::ConfirmEmailChange(http::Request& req) {
  TESSERA_PAGE_PRELUDE(false)
  auto user = verification_.ConfirmEmailChange(*app, http::FormValue(params, "token"));
  if (!user.ok()) return LinkFailure(req, *app, user.status(), "account", "Go to your account");
  return web_.Message(req, *app, 200, "Your email address was changed",
                      "You now sign in with " + user->email + ".", true,
                      web_.PagePath(*app, "account"), "Continue");
}

http::Response EmailPages::AccountChangeEmail(http::Request& req) {
  TESSERA_PAGE_PRELUDE(true)
  auto session = web_.CurrentSession(*app, req);
  if (!session) return WebContext::Redirect(web_.Absolute(web_.PagePath(*app, "login")));
  Status s = verification_.RequestEmailChange(*app, session->user_id, http::FormValue(params, "new_email"),
                                              http::FormValue(params, "current_password"),
                                              WebContext::ClientOf(req));
  std::string done = "email";
  if (!s.ok()) {
    done = s.code() == StatusCode::kRateLimited ? "email-limited"
           : s.code() == StatusCode::kInvalidArgument && !s.field_errors().empty() &&
                   s.field_errors().front().field == "current_password"
               ? "email-password"
               : s.code() == StatusCode::kInvalidArgument ? "email-invalid" : "email-failed";
  }
  return WebContext::Redirect(web_.Absolute(web_.PagePath(*app, "account") + "?done=" + done));
}

http::Response EmailPages::AccountSendVerification(http::Request& req) {
  TESSERA_PAGE_PRELUDE(true)
  auto session = web_.CurrentSession(*app, req);
  if (!session) return WebContext::Redirect(web_.Absolute(web_.PagePath(*app, "login")));
  auto user = accounts_.GetUser(*app, session->user_id);
  Status s = user.ok() ? verification_.SendVerification(*app, *user, WebContext::ClientOf(req))
                       : user.status();
  std::string done = s.ok() ? "verification" : s.code() == StatusCode::kRateLimited
                                                   ? "email-limited" : "email-failed";
  return WebContext::Redirect(web_.Absolute(web_.PagePath(*app, "account") + "?done=" + done));
}

#undef TESSERA_PAGE_PRELUDE

}  // namespace tessera::web
