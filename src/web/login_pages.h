// File: login_pages.h
// The hosted sign-in pages of an app, under {issuer}: GET/POST /login, GET/POST /signup,
// GET/POST /logout, and the stylesheet at {PUBLIC_URL}/assets/tessera.css. Signing in starts
// a browser session (a fresh cookie every time) and returns to `return_to` — only ever a page
// of the same app, typically the authorization request that sent the user here.
#pragma once

#include "http/router.h"
#include "accounts/account_service.h"
#include "oauth/client_service.h"
#include "accounts/password_policy.h"
#include "web/web_context.h"

namespace tessera::web {

class LoginPages {
 public:
  LoginPages(WebContext& web, services::AccountService& accounts,
             services::ClientService& clients, const PageRenderer& renderer)
      : web_(web), accounts_(accounts), clients_(clients), renderer_(renderer) {}
  void Mount(http::Router& router);

 private:
  http::Response ShowLogin(http::Request& req);
  http::Response SubmitLogin(http::Request& req);
  http::Response ShowSignup(http::Request& req);
  http::Response SubmitSignup(http::Request& req);
  http::Response ShowLogout(http::Request& req);
  http::Response SubmitLogout(http::Request& req);
  http::Response Asset(http::Request& req);

  http::Response LoginForm(const http::Request& req, const store::App& app,
                           const std::string& return_to, const std::string& identifier,
                           const std::string& error, unsigned status);
  http::Response SignupForm(const http::Request& req, const store::App& app,
                            const std::map<std::string, std::string>& form,
                            const std::map<std::string, std::string>& errors,
                            const std::string& error, unsigned status);
  // Starts the browser session (ending the one it replaces) and goes to `return_to`.
  http::Response SignedIn(const http::Request& req, const store::App& app,
                          const store::User& user, const std::string& return_to);

  WebContext& web_;
  // The name of the client an authorization request (return_to) is for, or "".
  std::string ClientNameOf(const store::App& app, const std::string& return_to);

  services::AccountService& accounts_;
  services::ClientService& clients_;
  const PageRenderer& renderer_;
};

// The query parameters of a request (a parameter given twice is an error: nullopt).
std::optional<std::map<std::string, std::string>> QueryOf(const http::Request& req);

}  // namespace tessera::web
