// File: email_pages.h
// The hosted pages of the email flows, under {issuer}:
//   GET/POST /verify-email?token=…              the link of the verification mail: a button,
//                                               then verified (not on GET: mail scanners)
//   GET/POST /forgot-password                   ask for a reset link (same answer for all)
//   GET/POST /reset-password?token=…            choose a new password
//   GET/POST /magic-link                        ask for a sign-in link or code
//   GET/POST /magic-link/continue?token=…       the link of the mail: a button, then signed in
//                                               (not on GET: mail scanners open links)
//   GET/POST /email-code                        enter the 6-digit code
//   GET/POST /confirm-email-change?token=…      the link sent to a new address: a button,
//                                               then changed (not on GET)
//   POST /account/email, /account/verification  from the account page (signed in)
#pragma once

#include "accounts/account_service.h"
#include "email_flows/email_verification_service.h"
#include "email_flows/password_reset_service.h"
#include "email_flows/passwordless_service.h"
#include "http/router.h"
#include "web/page_gates.h"
#include "web/page_kit.h"

namespace tessera::web {

class EmailPages {
 public:
  EmailPages(const PageKit& kit, services::AccountService& accounts,
             services::EmailVerificationService& verification,
             services::PasswordResetService& resets, services::PasswordlessService& passwordless)
      : kit_(kit),
        accounts_(accounts),
        verification_(verification),
        resets_(resets),
        passwordless_(passwordless) {}
  void Mount(http::Router& router, const PageGates& gates);

 private:
  using App = store::App;
  using Form = http::FormParams;

  // The texts are message keys (i18n/message_catalog.h) of the "email" group.
  http::Response LinkContinue(http::Request& req, const App& app, std::string_view page,
                              std::string_view heading_key, std::string_view subtitle_key);
  http::Response ShowVerifyEmail(http::Request& req, const App& app);
  http::Response VerifyEmail(http::Request& req, const App& app, const Form& form);
  http::Response ResendVerification(http::Request& req, const App& app, const Form& form);
  http::Response ShowForgot(http::Request& req, const App& app);
  http::Response SubmitForgot(http::Request& req, const App& app, const Form& form);
  http::Response ShowReset(http::Request& req, const App& app);
  http::Response SubmitReset(http::Request& req, const App& app, const Form& form);
  http::Response ShowMagicLink(http::Request& req, const App& app);
  http::Response SubmitMagicLink(http::Request& req, const App& app, const Form& form);
  http::Response ShowContinue(http::Request& req, const App& app);
  http::Response SubmitContinue(http::Request& req, const App& app, const Form& form);
  http::Response ShowCode(http::Request& req, const App& app);
  http::Response SubmitCode(http::Request& req, const App& app, const Form& form);
  http::Response ShowConfirmEmailChange(http::Request& req, const App& app);
  http::Response ConfirmEmailChange(http::Request& req, const App& app, const Form& form);
  http::Response AccountChangeEmail(http::Request& req, const BrowserVisit& v, const Form& form);
  http::Response AccountSendVerification(http::Request& req, const BrowserVisit& v,
                                         const Form& form);

  http::Response LinkFailure(const http::Request& req, const App& app, const Status& status,
                             std::string_view retry_page, std::string_view retry_key);
  http::Response ForgotForm(const http::Request& req, const App& app, const std::string& email,
                            const std::string& error, unsigned status);
  http::Response ResetForm(const http::Request& req, const App& app, const std::string& token,
                           const std::string& error, unsigned status);
  http::Response MagicForm(const http::Request& req, const App& app, const std::string& email,
                           const std::string& return_to, const std::string& error, unsigned status);
  http::Response MagicSent(const http::Request& req, const App& app, const std::string& email,
                           const std::string& return_to);
  http::Response CodeForm(const http::Request& req, const App& app, const std::string& email,
                          const std::string& return_to, const std::string& error, unsigned status);
  // 303 back to the account page, which shows `done` (a notice or an email problem).
  http::Response BackToAccount(const App& app, const std::string& done);

  const PageKit& kit_;
  services::AccountService& accounts_;
  services::EmailVerificationService& verification_;
  services::PasswordResetService& resets_;
  services::PasswordlessService& passwordless_;
};

}  // namespace tessera::web
