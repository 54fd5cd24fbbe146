// File: mfa_pages.h
// Two-step verification on the hosted pages, under {issuer}:
//   GET  /login/mfa                      the second step of a sign-in (browser_sign_in.h sent
//   POST /login/mfa                      the browser here with its cookie): a code from the
//                                        authenticator app, or ?method=recovery_code
//   GET  /login/mfa?factor=…             an enrolment the app requires: the QR code…
//   POST /login/mfa/enrol                …and its first code; then the recovery codes, once
//   POST /account/mfa/totp               the account page: add an authenticator app
//   GET  /account/mfa/totp?factor=…      (POST/redirect/GET: the QR code page)
//   POST /account/mfa/totp/confirm       its first code (and name); recovery codes if first
//   POST /account/mfa/factors/{id}/rename
//   POST /account/mfa/factors/{id}/remove      (a sign-in within 15 minutes)
//   POST /account/mfa/recovery-codes           a new set (a sign-in within 15 minutes)
//   POST /account/passkeys/new           add a passkey: the page that runs the ceremony…
//   POST /account/passkeys               …and its answer
//   POST /login/mfa/passkey              a passkey as the second factor
//   POST /login/mfa/enrol/passkey        …or as the enrolment the app requires
//   POST /login/passkey                  a passkey alone (the sign-in page's button and
//                                        autofill: conditional UI)
// No script but one: the passkey forms run static/passkeys.js (served from /assets, allowed by
// those pages' CSP only); the QR code is inline SVG, and every other step is a plain form.
#pragma once

#include "http/form.h"
#include "accounts/account_service.h"
#include "http/router.h"
#include "mfa/factor_service.h"
#include "mfa/mfa_sign_in.h"
#include "web/page_gates.h"
#include "web/page_kit.h"

namespace tessera::web {

class MfaPages {
 public:
  MfaPages(const PageKit& kit, services::AccountService& accounts, services::MfaSignIn& sign_in,
           services::FactorService& factors)
      : kit_(kit), accounts_(accounts), sign_in_(sign_in), factors_(factors) {}
  void Mount(http::Router& router, const PageGates& gates);

  // The sign-in page's passkey form (a button, and autofill on the identifier field) when the
  // app offers passkeys; its challenge is bound to a cookie of its own, set on `page`.
  void AddPasskeySignIn(const http::Request& req, const store::App& app,
                        const std::string& return_to, PageData& d, std::string* binding) const;
  void SetPasskeyCookie(http::Response& page, const std::string& binding) const;

 private:
  using Form = http::FormParams;

  http::Response ShowStep(http::Request& req, const store::App& app);
  http::Response SubmitStep(http::Request& req, const store::App& app, const Form& form);
  http::Response SubmitEnrolStep(http::Request& req, const store::App& app, const Form& form);
  http::Response BeginTotp(http::Request& req, const BrowserVisit& v, const Form& form);
  http::Response ShowTotp(http::Request& req, const BrowserVisit& v);
  http::Response ConfirmTotp(http::Request& req, const BrowserVisit& v, const Form& form);
  http::Response Rename(http::Request& req, const BrowserVisit& v, const Form& form);
  http::Response Remove(http::Request& req, const BrowserVisit& v, const Form& form);
  http::Response NewRecoveryCodes(http::Request& req, const BrowserVisit& v, const Form& form);
  http::Response ShowPasskeyRegistration(http::Request& req, const BrowserVisit& v,
                                         const Form& form);
  http::Response RegisterPasskey(http::Request& req, const BrowserVisit& v, const Form& form);
  http::Response SubmitPasskeyStep(http::Request& req, const store::App& app, const Form& form);
  http::Response SignInWithPasskey(http::Request& req, const store::App& app, const Form& form);
  http::Response SubmitPasskeyEnrolStep(http::Request& req, const store::App& app,
                                        const Form& form);
  // The passkey form of an enrolment the sign-in requires, into `d` (when the app offers them).
  void AddPasskeyEnrolment(const http::Request& req, const store::App& app,
                           const store::User& user, std::string_view button, bool primary,
                           PageData& d);
  std::string PasskeyCookieName() const;

  // The second step's page: the code form (or the recovery-code form).
  http::Response VerifyForm(const http::Request& req, const store::App& app,
                            const services::PendingSecondFactor& pending, bool use_recovery,
                            const std::string& error, unsigned status);
  // The QR code page of an unconfirmed factor.
  http::Response EnrolForm(const http::Request& req, const store::App& app,
                           const store::User& user, const services::TotpEnrolment& enrolment,
                           bool at_sign_in, const Status& error, const std::string& name,
                           unsigned status);
  // (In `user`'s language.)
  http::Response RecoveryCodesPage(const http::Request& req, const store::App& app,
                                   const store::User& user, const std::vector<std::string>& codes,
                                   const std::string& continue_url, bool replaced = false);
  // Signed in: the session, the challenge cookie cleared (and the codes shown, after an
  // enrolment).
  http::Response Finish(const http::Request& req, const store::App& app,
                        const services::CompletedSignIn& done);
  // The sign-in waiting for this browser, or the page that says it expired.
  std::string ChallengeOf(const http::Request& req) const;
  http::Response Expired(const http::Request& req, const store::App& app);
  http::Response NeedsRecentSignIn(const http::Request& req, const store::App& app);
  std::string Issuer(const store::App& app) const;

  // 303 to the account page with ?done=what.
  http::Response Done(const store::App& app, std::string_view what);

  const PageKit& kit_;
  services::AccountService& accounts_;
  services::MfaSignIn& sign_in_;
  services::FactorService& factors_;
};

// The account page's "Two-step verification" section, into `d`: the factors (with rename and
// remove), the recovery codes left, and what may be added — their words in `t`'s language
// (the account page's own Texts).
void SetSecondFactorSection(const PageKit& kit, const BrowserVisit& v, const std::string& zone,
                            const i18n::Texts& t, PageData& d);
// The same in English, until the account page passes its Texts (then this goes).
void SetSecondFactorSection(const PageKit& kit, const BrowserVisit& v, const std::string& zone,
                            PageData& d);

}  // namespace tessera::web
