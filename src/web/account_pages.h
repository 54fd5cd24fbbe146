// File: account_pages.h
// The signed-in user's account page, {issuer}/account: profile, password, sessions and
// devices (every kind: browsers, API sign-ins, apps' grants) with sign-out, and the apps
// the user authorized with revoke. Each form POSTs to its own URL (CSRF-checked) and comes
// back with 303 to the page, which shows what was done.
#pragma once

#include "http/router.h"
#include "accounts/account_service.h"
#include "sessions/session_service.h"
#include "oauth/authorization_service.h"
#include "web/web_context.h"

namespace tessera::web {

class AccountPages {
 public:
  AccountPages(WebContext& web, services::AccountService& accounts,
               services::SessionService& sessions,
               services::AuthorizationService& authz)
      : web_(web), accounts_(accounts), sessions_(sessions), authz_(authz) {}
  void Mount(http::Router& router);

 private:
  // The signed-in session and app of a request, or the response to send instead (a redirect
  // to the sign-in page, an error page).
  struct Visitor {
    store::App app;
    store::Session session;
  };
  std::variant<Visitor, http::Response> Visit(http::Request& req, bool is_post,
                                              std::map<std::string, std::string>* form);

  http::Response Show(http::Request& req);
  http::Response SaveProfile(http::Request& req);
  http::Response ChangePassword(http::Request& req);
  http::Response RevokeSession(http::Request& req);
  http::Response RevokeApp(http::Request& req);
  http::Response Render(const http::Request& req, const Visitor& v, PageData extra,
                        unsigned status);
  http::Response Done(const store::App& app, std::string_view what);

  WebContext& web_;
  services::AccountService& accounts_;
  services::SessionService& sessions_;
  services::AuthorizationService& authz_;
};

}  // namespace tessera::web
