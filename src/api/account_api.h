// File: account_api.h
// The end-user JSON API of every app, under {PUBLIC_URL}/apps/{app}/api/… (docs/api.md).
// Handlers are thin: read the request, call a service, render the answer or the error.
#pragma once

#include "http/router.h"
#include "mfa/mfa_sign_in.h"
#include "accounts/account_service.h"
#include "sessions/session_service.h"
#include "tokens/api_token_service.h"
#include "tenancy/app_service.h"
#include "tokens/authenticator.h"

namespace tessera::api {

class AccountApi {
 public:
  // Every service must outlive this object.
  AccountApi(services::AppService& apps, services::AccountService& accounts,
             services::SessionService& sessions,
             services::ApiTokenService& api_tokens, services::Authenticator& authenticator,
             services::MfaSignIn* mfa = nullptr)
      : apps_(apps), accounts_(accounts), sessions_(sessions), api_tokens_(api_tokens),
        authenticator_(authenticator), mfa_(mfa) {}

  void Mount(http::Router& router);

 private:
  http::Response Signup(http::Request& req);
  http::Response Login(http::Request& req);
  http::Response Refresh(http::Request& req);
  http::Response Logout(http::Request& req);
  http::Response LogoutAll(http::Request& req);
  http::Response GetMe(http::Request& req);
  http::Response PatchMe(http::Request& req);
  http::Response ChangePassword(http::Request& req);
  http::Response ListSessions(http::Request& req);
  http::Response DeleteSession(http::Request& req);
  http::Response ListTokens(http::Request& req);
  http::Response CreateToken(http::Request& req);
  http::Response DeleteToken(http::Request& req);

  using AppHandler = std::function<http::Response(const store::App&)>;
  using UserHandler = std::function<http::Response(const store::App&, services::Principal&)>;
  // Resolves {app} (404 if unknown) and runs `fn`.
  http::Response InApp(http::Request& req, const AppHandler& fn);
  // Also authenticates the caller (401 with WWW-Authenticate if not).
  http::Response AsUser(http::Request& req, const UserHandler& fn);

  services::AppService& apps_;
  services::AccountService& accounts_;
  services::SessionService& sessions_;
  services::ApiTokenService& api_tokens_;
  services::Authenticator& authenticator_;
  // The second step of a sign-in: a user with factors gets an mfa_token, not tokens. Null
  // only in tests of the API without it.
  services::MfaSignIn* mfa_;
};

}  // namespace tessera::api
