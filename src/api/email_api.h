// File: email_api.h
// The email flows on the JSON API, under {issuer}/api (docs/api.md):
//   POST /me/email/verification      send (again) the verification link        (signed in)
//   POST /email/verify               {token} → the user, now verified
//   POST /password/forgot            {email} → 202, the same whether or not it exists
//   POST /password/reset             {token, new_password} → 204; every session revoked
//   POST /magic-link                 {email, redirect_uri?} → 202
//   POST /magic-link/verify          {token} → tokens
//   POST /email-code                 {email} → 202
//   POST /email-code/verify          {email, code} → tokens
//   POST /me/email                   {new_email, current_password} → 202      (signed in)
//   POST /email/change/confirm       {token} → the user with the new address
#pragma once

#include "http/router.h"
#include "mfa/mfa_sign_in.h"
#include "accounts/account_service.h"
#include "sessions/session_service.h"
#include "tenancy/app_service.h"
#include "tokens/authenticator.h"
#include "email_flows/email_verification_service.h"
#include "email_flows/password_reset_service.h"
#include "email_flows/passwordless_service.h"

namespace tessera::api {

class EmailApi {
 public:
  EmailApi(services::AppService& apps, services::Authenticator& authenticator,
           services::AccountService& accounts, services::SessionService& sessions,
           services::EmailVerificationService& verification,
           services::PasswordResetService& resets, services::PasswordlessService& passwordless,
           services::MfaSignIn* mfa = nullptr)
      : apps_(apps), authenticator_(authenticator), accounts_(accounts), sessions_(sessions),
        verification_(verification), resets_(resets), passwordless_(passwordless), mfa_(mfa) {}
  void Mount(http::Router& router);

 private:
  http::Response SendVerification(http::Request& req);
  http::Response Verify(http::Request& req);
  http::Response ForgotPassword(http::Request& req);
  http::Response ResetPassword(http::Request& req);
  http::Response RequestMagicLink(http::Request& req);
  http::Response VerifyMagicLink(http::Request& req);
  http::Response RequestCode(http::Request& req);
  http::Response VerifyCode(http::Request& req);
  http::Response ChangeEmail(http::Request& req);
  http::Response ConfirmEmailChange(http::Request& req);

  services::AppService& apps_;
  services::Authenticator& authenticator_;
  services::AccountService& accounts_;
  services::SessionService& sessions_;
  services::EmailVerificationService& verification_;
  services::PasswordResetService& resets_;
  services::PasswordlessService& passwordless_;
  services::MfaSignIn* mfa_;  // a mail link or code is a first factor; null in some tests
  // Tokens for a user the mail proved, or the second factor to ask for first.
  http::Response SignInByMail(const store::App& app, store::User user,
                              const services::ClientInfo& client);
};

}  // namespace tessera::api
