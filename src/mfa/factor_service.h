// File: factor_service.h
// A user's second factors, as they manage them (account page, account API) and as the app
// manages them (console, server API): enrol an authenticator app (the secret is shown once,
// the factor counts only after a first valid code), list, rename, remove, recovery codes.
// Removing a factor or making new recovery codes needs a recent sign-in; every change is
// audited and mailed to the user.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "accounts/user_records.h"
#include "audit/audit_log.h"
#include "base/clock.h"
#include "base/result.h"
#include "email_flows/mail_flow.h"
#include "mfa/mfa_records.h"
#include "mfa/mfa_store.h"
#include "tenancy/tenancy_records.h"

namespace tessera::services {

// How long after signing in a user may remove factors or renew recovery codes.
inline constexpr int64_t kRecentSignInMs = 15 * 60 * 1000;
inline constexpr size_t kMaxFactorName = 64;
inline constexpr size_t kMaxFactorsPerUser = 20;

// An authenticator app being enrolled: what the user's app needs, shown until confirmed.
struct TotpEnrolment {
  store::Factor factor;
  std::string secret_base32;
  std::string otpauth_uri;
  std::string qr_svg;  // the URI as an inline SVG QR code
};

// What a confirmed enrolment gives: the factor, and the recovery codes when this was the
// user's first factor (shown once).
struct EnrolledFactor {
  store::Factor factor;
  std::vector<std::string> recovery_codes;
};

class FactorService {
 public:
  FactorService(store::MfaStore& store, std::string master_key, const Clock& clock,
                std::optional<MailFlowContext> mail, AuditLog* audit = nullptr)
      : store_(store), master_key_(std::move(master_key)), clock_(clock),
        mail_(std::move(mail)), audit_(audit) {}

  // Whether the app lets its users add a factor of this kind (policy not off, kind allowed).
  static bool MayEnrol(const store::App& app, store::FactorKind kind);

  // A new authenticator app for `user`, unconfirmed (an earlier unconfirmed one is replaced).
  // kPermissionDenied when the app does not offer them; kFailedPrecondition at the limit.
  // `issuer`: the name the user's app shows (the app's display name).
  Result<TotpEnrolment> BeginTotp(const store::App& app, const store::User& user,
                                  std::string_view issuer);
  // The enrolment of an unconfirmed factor again (a form shown anew); kNotFound otherwise.
  Result<TotpEnrolment> PendingTotp(const store::App& app, const store::User& user,
                                    std::string_view factor_id, std::string_view issuer);
  // Confirms with a first code: kInvalidArgument (field "code") when it is wrong.
  Result<EnrolledFactor> ConfirmTotp(const store::App& app, const store::User& user,
                                     std::string_view factor_id, std::string_view code,
                                     std::string_view name);

  // The user's confirmed factors, oldest first.
  Result<std::vector<store::Factor>> ListFactors(const store::App& app, std::string_view user_id);
  Result<bool> HasFactors(const store::App& app, std::string_view user_id);
  Result<int64_t> RecoveryCodesLeft(const store::App& app, std::string_view user_id);

  // kInvalidArgument (field "name") for an empty, too long or non-UTF-8 name.
  Status Rename(const store::App& app, const store::User& user, std::string_view factor_id,
                std::string_view name);
  // `auth_time`: when the caller's session signed in. kFailedPrecondition unless recent;
  // removing the last factor removes the recovery codes too.
  Status Remove(const store::App& app, const store::User& user, std::string_view factor_id,
                UnixMillis auth_time);
  // A new set (the old one stops working); kFailedPrecondition without a factor or a recent
  // sign-in.
  Result<std::vector<std::string>> RegenerateRecoveryCodes(const store::App& app,
                                                           const store::User& user,
                                                           UnixMillis auth_time);
  // After a factor of another kind was added (a passkey): a first set of recovery codes when
  // the user has none left (shown once), else none.
  Result<std::vector<std::string>> EnsureRecoveryCodes(const store::App& app,
                                                       std::string_view user_id);
  // A TOTP factor's secret, opened (the store keeps it sealed, base64).
  Result<std::string> OpenTotpSecret(const store::Factor& factor) const;

  // The app removes every factor and recovery code of a user (lost device); answers how many
  // factors went.
  Result<int64_t> Reset(const store::App& app, const store::User& user, const Actor& actor);

 private:
  Result<TotpEnrolment> EnrolmentOf(const store::App& app, const store::User& user,
                                    store::Factor factor, std::string_view issuer);
  Result<std::vector<std::string>> StoreNewRecoveryCodes(const store::App& app,
                                                         std::string_view user_id);
  Status RequireRecentSignIn(UnixMillis auth_time) const;

  store::MfaStore& store_;
  std::string master_key_;
  const Clock& clock_;
  std::optional<MailFlowContext> mail_;
  AuditLog* audit_;  // may be null
};

// Status of a name check: nullopt when fine, else what is wrong.
std::optional<std::string> FactorNameProblem(std::string_view name);

}  // namespace tessera::services
