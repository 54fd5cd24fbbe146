#include "web/browser_sign_in.h"

#include "base/log.h"

namespace tessera::web {

http::Response SignInBrowser(const PageKit& kit, const http::Request& req, const store::App& app,
                             const store::User& user, const std::string& return_to,
                             std::string_view amr, std::string_view idp) {
  auto started = kit.browser_sessions.Start(app, user, ClientOf(req), amr, idp);
  if (started.status().code() == StatusCode::kPermissionDenied) {  // the app's rules say no
    return kit.pages.Message(req, app, 403, "Confirm your email address first",
                             started.status().message(), false, kit.urls.PagePath(app, "login"),
                             "Back to sign in");
  }
  if (!started.ok()) return kit.pages.Unavailable(req, &app);
  if (auto old = kit.session_cookie.Current(app, req)) {
    (void)kit.browser_sessions.End(app, *old, store::RevokeReason::kReplaced);
  }
  std::string target = return_to.empty() ? kit.urls.HomePath(app) : return_to;
  http::Response r = Redirect(kit.urls.Absolute(target));
  kit.session_cookie.Set(r, app, started->cookie_value);
  LogJson(spdlog::level::info, "browser_login",
          {{"app", app.slug}, {"user_id", user.id}, {"session_id", started->session.id}});
  return r;
}

}  // namespace tessera::web
