// File: login_pages.h
// The hosted sign-in pages of an app, under {issuer}: GET/POST /login, GET/POST /signup,
// GET/POST /logout. Signing in starts a browser session (a fresh cookie every time) and
// returns to `return_to` — only ever a page of the same app, typically the authorization
// request that sent the user here.
#pragma once

#include <string>

#include "accounts/account_service.h"
#include "http/form.h"
#include "http/router.h"
#include "oauth/client_service.h"
#include "web/federation_pages.h"
#include "web/mfa_pages.h"
#include "web/page_gates.h"
#include "web/page_kit.h"

namespace tessera::web {

class LoginPages {
 public:
  // `federation`: the upstream providers' buttons (none when null).
  LoginPages(const PageKit& kit, services::AccountService& accounts,
             services::ClientService& clients, const FederationPages* federation = nullptr)
      : kit_(kit), accounts_(accounts), clients_(clients), federation_(federation) {}
  // The passkey sign-in of the sign-in page (none when not set).
  void SetPasskeys(const MfaPages* passkeys) { passkeys_ = passkeys; }
  void Mount(http::Router& router, const PageGates& gates);

 private:
  http::Response ShowLogin(http::Request& req, const store::App& app);
  http::Response SubmitLogin(http::Request& req, const store::App& app,
                             const http::FormParams& form);
  http::Response ShowSignup(http::Request& req, const store::App& app);
  http::Response SubmitSignup(http::Request& req, const store::App& app,
                              const http::FormParams& form);
  http::Response ShowLogout(http::Request& req, const store::App& app);
  http::Response SubmitLogout(http::Request& req, const store::App& app,
                              const http::FormParams& form);

  http::Response LoginForm(const http::Request& req, const store::App& app,
                           const std::string& return_to, const std::string& identifier,
                           const std::string& error, unsigned status, PageData d = {});
  http::Response UnverifiedForm(const http::Request& req, const store::App& app,
                                const std::string& return_to, const std::string& identifier);
  http::Response SignupForm(const http::Request& req, const store::App& app,
                            const http::FormParams& form,
                            const std::map<std::string, std::string>& errors,
                            const std::string& error, unsigned status);
  http::Response SignedOut(const http::Request& req, const store::App& app);
  // The name of the client an authorization request (return_to) is for, or "".
  std::string ClientNameOf(const store::App& app, const std::string& return_to);

  const PageKit& kit_;
  services::AccountService& accounts_;
  services::ClientService& clients_;
  const FederationPages* federation_;
  const MfaPages* passkeys_ = nullptr;
};

}  // namespace tessera::web
