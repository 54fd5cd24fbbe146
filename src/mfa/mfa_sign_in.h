// File: mfa_sign_in.h
// The second step of a sign-in. Every way in (password, mail link or code, an upstream
// provider; hosted pages and the account API alike) proves a first factor, then asks
// StepAfter: a user with factors is asked for one; a user without, when the app (or the
// OAuth client) requires a second factor, enrols one first. The first step's result waits in
// a single-use challenge (10 minutes; the browser holds it in a cookie, an API client as
// "mfa_token") until a code from an authenticator app or a recovery code completes it.
// Wrong codes are throttled per user like passwords; a time step is accepted once.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "accounts/account_service.h"
#include "accounts/login_throttle.h"
#include "accounts/user_store.h"
#include "audit/audit_log.h"
#include "base/clock.h"
#include "base/result.h"
#include "email_flows/mail_flow.h"
#include "mfa/factor_service.h"
#include "mfa/mfa_records.h"
#include "mfa/mfa_store.h"
#include "mfa/passkey_service.h"
#include "sessions/session_service.h"

namespace tessera::services {

enum class SecondStep {
  kNone,    // sign in now
  kVerify,  // the user has factors: ask for one
  kEnrol,   // the user has none and must add one first
};

// How the first step went: carried across to the session (amr, idp) and the page after.
struct FirstFactor {
  std::string amr;  // "pwd", "otp" (mail), "fed"
  std::string idp;  // the upstream issuer of a "fed" sign-in
  std::string return_to;
};

struct PendingSecondFactor {
  store::User user;
  FirstFactor first;
  SecondStep step = SecondStep::kVerify;
  std::vector<std::string> methods;  // "totp", "recovery_code": what may complete it
  UnixMillis expires_at = 0;
};

struct CompletedSignIn {
  store::User user;
  FirstFactor first;
  std::string amr;  // the first factor's and the second's, with "mfa" (RFC 8176)
  std::vector<std::string> recovery_codes;  // after an enrolment: shown once
};

// The account API's answer to a first factor: tokens, or a second factor to ask for.
struct MfaNeeded {
  std::string mfa_token;  // "tmfa_…": single use, expires_in seconds
  int64_t expires_in = 0;
  bool enrol = false;  // the user must add a factor first (login/mfa/totp or a passkey)
  std::vector<std::string> methods;  // "totp", "passkey", "recovery_code"
};
struct ApiSignIn {
  std::optional<TokenGrant> grant;
  std::optional<MfaNeeded> mfa;
};

inline constexpr std::string_view kMfaSignInPrefix = "tmf_";
inline constexpr std::string_view kMfaTokenPrefix = "tmfa_";
inline constexpr int64_t kMfaChallengeTtlMs = 10 * 60 * 1000;

class MfaSignIn {
 public:
  MfaSignIn(store::MfaStore& store, AccountService& accounts, SessionService& sessions,
            FactorService& factors, std::string master_key, const Clock& clock,
            LoginThrottle* throttle, std::optional<MailFlowContext> mail, AuditLog* audit)
      : store_(store), accounts_(accounts), sessions_(sessions), factors_(factors),
        master_key_(std::move(master_key)), clock_(clock), throttle_(throttle),
        mail_(std::move(mail)), audit_(audit) {}

  // What follows a first factor. `demanded`: the OAuth client asked for a second factor
  // (acr_values) — like an app that requires one, it makes a user without factors enrol
  // (an authenticator app or a passkey, whichever the app offers).
  Result<SecondStep> StepAfter(const store::App& app, const store::User& user,
                               bool demanded = false);
  // A challenge holding the first step; answers the value to hand out (cookie or mfa_token).
  Result<std::string> Begin(const store::App& app, const store::User& user,
                            store::MfaChallengeKind kind, const FirstFactor& first,
                            SecondStep step);
  // The live challenge of `token`; kNotFound when unknown, used, expired or malformed.
  Result<PendingSecondFactor> Pending(const store::App& app, std::string_view token,
                                      store::MfaChallengeKind kind);
  // Completes with a code: `method` "totp" or "recovery_code". kUnauthenticated when the
  // code is wrong (the challenge stays, for another try), kRateLimited after too many.
  Result<CompletedSignIn> Complete(const store::App& app, std::string_view token,
                                   store::MfaChallengeKind kind, std::string_view method,
                                   std::string_view code, const ClientInfo& client);
  // Completes with a passkey (the browser's PublicKeyCredential as JSON); its challenge was
  // bound to `token` (PasskeyService::AssertionOptions with the token as binding).
  Result<CompletedSignIn> CompleteWithPasskey(const store::App& app, std::string_view token,
                                              store::MfaChallengeKind kind,
                                              std::string_view credential_json,
                                              const ClientInfo& client);
  // Passkeys as a second factor (app/ sets it; none in tests without passkeys).
  void SetPasskeys(PasskeyService* passkeys) { passkeys_ = passkeys; }
  PasskeyService* passkeys() const { return passkeys_; }

  // An enrolment the sign-in requires: the authenticator app to add (begun once per call).
  Result<TotpEnrolment> BeginEnrolment(const store::App& app, std::string_view token,
                                       store::MfaChallengeKind kind, std::string_view issuer);
  // An enrolment the sign-in requires, done with a passkey (registration options bound to
  // `token`), completing the sign-in.
  Result<CompletedSignIn> CompleteEnrolmentWithPasskey(const store::App& app,
                                                       std::string_view token,
                                                       store::MfaChallengeKind kind,
                                                       std::string_view credential_json);
  // Confirms that enrolment with its first code and completes the sign-in.
  Result<CompletedSignIn> CompleteEnrolment(const store::App& app, std::string_view token,
                                            store::MfaChallengeKind kind,
                                            std::string_view factor_id, std::string_view code,
                                            const ClientInfo& client);

  // The account API: a password sign-in, then tokens or MfaNeeded.
  Result<ApiSignIn> ApiLogin(const store::App& app, std::string_view identifier,
                             std::string_view password, const ClientInfo& client);
  // The account API after a first factor proven another way (mail link or code, upstream
  // provider); `method` as AccountService::RecordVerifiedSignIn records it.
  Result<ApiSignIn> ApiAfterFirstFactor(const store::App& app, store::User user,
                                        const ClientInfo& client, std::string_view method,
                                        const FirstFactor& first);
  // The account API after a passkey sign-in (PasskeyService::Authenticate without an
  // expected user): with user verification it is two factors and tokens follow; without,
  // it is a first factor and the second step follows as for a password.
  Result<ApiSignIn> ApiAfterPasskey(const store::App& app, const PasskeyProof& proof,
                                    const ClientInfo& client);
  // What an enrolment may use: "totp" and/or "passkey", as the app offers them.
  std::vector<std::string> EnrolMethods(const store::App& app) const;
  // Tokens for a completed API challenge.
  Result<TokenGrant> ApiTokens(const store::App& app, const CompletedSignIn& done,
                               const ClientInfo& client);

 private:
  Result<ApiSignIn> ApiNext(const store::App& app, store::User user, const ClientInfo& client,
                            const FirstFactor& first);
  Result<store::MfaChallenge> LiveChallenge(const store::App& app, std::string_view token,
                                            store::MfaChallengeKind kind);
  Result<store::User> LiveUser(const store::App& app, std::string_view user_id);
  // The factor id that accepted the code; kUnauthenticated when none did.
  Result<std::string> CheckTotp(const store::App& app, const store::User& user,
                                std::string_view code);
  Status CheckRecoveryCode(const store::App& app, const store::User& user,
                           std::string_view code);
  Result<CompletedSignIn> Finish(const store::App& app, const store::MfaChallenge& challenge,
                                 store::User user, std::string_view second_amr);

  store::MfaStore& store_;
  AccountService& accounts_;
  SessionService& sessions_;
  FactorService& factors_;
  std::string master_key_;
  const Clock& clock_;
  LoginThrottle* throttle_;  // may be null (tests)
  std::optional<MailFlowContext> mail_;
  AuditLog* audit_;  // may be null
  PasskeyService* passkeys_ = nullptr;
};

// Space-separated amr values with `more` added once each, and "mfa" when two factors.
std::string CombinedAmr(std::string_view first, std::string_view second);

}  // namespace tessera::services
