#include "web/browser_sign_in.h"

#include "accounts/sign_in_rules.h"
#include "base/log.h"
#include "http/cookie.h"
#include "http/form.h"
#include "oauth/acr.h"
#include "web/service_messages.h"

namespace tessera::web {
namespace {

http::Response NotAllowed(const PageKit& kit, const http::Request& req, const store::App& app,
                          const Status& why) {
  const i18n::Texts t = kit.pages.TextsFor(req, &app);
  return kit.pages.Message(req, app, 403, t("pages.confirm_email_first"),
                           ServiceText(t, why.message()), false, kit.urls.PagePath(app, "login"),
                           t("pages.back_to_sign_in"));
}

}  // namespace

std::string MfaCookieName(const PageKit& kit) {
  return kit.urls.secure() ? "__Host-tessera_mfa" : "tessera_mfa";
}

bool ClientAsksForMfa(const PageKit& kit, const store::App& app, const std::string& return_to) {
  size_t q = return_to.find('?');
  if (q == std::string::npos ||
      return_to.compare(0, q, kit.urls.PagePath(app, "oauth/authorize")) != 0) {
    return false;
  }
  auto params = http::ParseForm(std::string_view(return_to).substr(q + 1));
  return params.ok() && params->contains("acr_values") &&
         services::AcrValuesAskForMfa(params->at("acr_values"));
}

http::Response SignInBrowser(const PageKit& kit, const http::Request& req, const store::App& app,
                             const store::User& user, const std::string& return_to,
                             std::string_view amr, std::string_view idp) {
  if (kit.mfa) {
    // The app's rules first: a second factor is never asked of whom no session is allowed.
    if (Status allowed = services::SessionAllowed(app, user);
        allowed.code() == StatusCode::kPermissionDenied) {
      return NotAllowed(kit, req, app, allowed);
    }
    auto step = kit.mfa->StepAfter(app, user, ClientAsksForMfa(kit, app, return_to));
    if (!step.ok()) return kit.pages.Unavailable(req, &app);
    if (*step != services::SecondStep::kNone) {
      auto token = kit.mfa->Begin(app, user, store::MfaChallengeKind::kSignIn,
                                  {std::string(amr), std::string(idp), return_to}, *step);
      if (!token.ok()) return kit.pages.Unavailable(req, &app);
      http::Response r = Redirect(kit.urls.Absolute(kit.urls.PagePath(app, "login/mfa")));
      http::SetCookie(r, MfaCookieName(kit), *token,
                      {kit.urls.secure(), true, "Lax", "/", kMfaCookieMaxAge});
      return r;
    }
  }
  return StartBrowserSession(kit, req, app, user, return_to, amr, idp);
}

http::Response StartBrowserSession(const PageKit& kit, const http::Request& req,
                                   const store::App& app, const store::User& user,
                                   const std::string& return_to, std::string_view amr,
                                   std::string_view idp) {
  auto started = kit.browser_sessions.Start(app, user, ClientOf(req), amr, idp);
  if (started.status().code() == StatusCode::kPermissionDenied) {  // the app's rules say no
    return NotAllowed(kit, req, app, started.status());
  }
  if (!started.ok()) return kit.pages.Unavailable(req, &app);
  if (auto old = kit.session_cookie.Current(app, req)) {
    (void)kit.browser_sessions.Replace(app, *old, started->session);
  }
  std::string target = return_to.empty() ? kit.urls.HomePath(app) : return_to;
  http::Response r = Redirect(kit.urls.Absolute(target));
  kit.session_cookie.Set(r, app, started->cookie_value);
  LogJson(spdlog::level::info, "browser_login",
          {{"app", app.slug}, {"user_id", user.id}, {"session_id", started->session.id}});
  return r;
}

}  // namespace tessera::web
