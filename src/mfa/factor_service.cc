#include "mfa/factor_service.h"

#include <boost/json.hpp>

#include "base/utf8.h"
#include "crypto/aead.h"
#include "crypto/encoding.h"
#include "crypto/random.h"
#include "mfa/mfa_events.h"
#include "mfa/qr_svg.h"
#include "mfa/recovery_codes.h"
#include "mfa/totp.h"

namespace tessera::services {
namespace {

constexpr std::string_view kDefaultTotpName = "Authenticator app";

std::string_view KindText(store::FactorKind kind) {
  return kind == store::FactorKind::kTotp ? "totp" : "webauthn";
}

}  // namespace

std::optional<std::string> FactorNameProblem(std::string_view name) {
  if (!IsValidUtf8(name)) return "must be valid text";
  auto length = Utf8Length(name);
  if (name.find_first_not_of(" \t") == std::string_view::npos) return "must not be empty";
  if (!length || *length > kMaxFactorName) return "must be at most 64 characters";
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) return "must not contain control characters";
  }
  return std::nullopt;
}

bool FactorService::MayEnrol(const store::App& app, store::FactorKind kind) {
  const store::AppSettings& s = app.settings;
  if (s.mfa == store::MfaPolicy::kOff) return false;
  return kind == store::FactorKind::kTotp ? s.mfa_totp : s.mfa_passkeys;
}

Result<TotpEnrolment> FactorService::BeginTotp(const store::App& app, const store::User& user,
                                               std::string_view issuer) {
  if (!MayEnrol(app, store::FactorKind::kTotp)) {
    return PermissionDeniedError("this app does not offer authenticator apps");
  }
  TESSERA_ASSIGN_OR_RETURN(std::vector<store::Factor> factors,
                           store_.ListFactors(app.id, user.id));
  size_t confirmed = 0;
  for (const auto& f : factors) {
    if (f.confirmed_at) {
      ++confirmed;
    } else if (f.kind == store::FactorKind::kTotp) {
      TESSERA_RETURN_IF_ERROR(store_.DeleteFactor(app.id, user.id, f.id));  // one pending at a time
    }
  }
  if (confirmed >= kMaxFactorsPerUser) {
    return FailedPreconditionError("an account may have at most 20 second factors");
  }
  store::Factor f;
  f.id = crypto::NewUuid();
  f.app_id = app.id;
  f.user_id = user.id;
  f.kind = store::FactorKind::kTotp;
  f.name = std::string(kDefaultTotpName);
  f.created_at = clock_.NowMillis();
  // Sealed under the master key, bound to the factor's id (a sealed secret copied onto
  // another row does not open); base64, as the column is text.
  TESSERA_ASSIGN_OR_RETURN(std::string sealed, crypto::AeadSeal(master_key_, NewTotpSecret(), f.id));
  f.secret_sealed = crypto::Base64Encode(sealed);
  TESSERA_RETURN_IF_ERROR(store_.CreateFactor(f));
  return EnrolmentOf(app, user, std::move(f), issuer);
}

Result<TotpEnrolment> FactorService::PendingTotp(const store::App& app, const store::User& user,
                                                 std::string_view factor_id,
                                                 std::string_view issuer) {
  auto f = store_.GetFactor(app.id, user.id, factor_id);
  if (!f.ok() || f->confirmed_at || f->kind != store::FactorKind::kTotp) {
    return NotFoundError("no such enrolment");
  }
  return EnrolmentOf(app, user, std::move(*f), issuer);
}

Result<TotpEnrolment> FactorService::EnrolmentOf(const store::App& app, const store::User& user,
                                                 store::Factor factor, std::string_view issuer) {
  TESSERA_ASSIGN_OR_RETURN(std::string secret, OpenTotpSecret(factor));
  TotpEnrolment e;
  e.secret_base32 = TotpSecretBase32(secret);
  std::string account = user.email.empty() ? user.username.value_or(user.id) : user.email;
  e.otpauth_uri = OtpauthUri(issuer, account, secret);
  TESSERA_ASSIGN_OR_RETURN(e.qr_svg, QrSvg(e.otpauth_uri, "QR code for your authenticator app"));
  e.factor = std::move(factor);
  return e;
}

Result<EnrolledFactor> FactorService::ConfirmTotp(const store::App& app, const store::User& user,
                                                  std::string_view factor_id,
                                                  std::string_view code, std::string_view name) {
  std::string label = name.empty() ? std::string(kDefaultTotpName) : std::string(name);
  if (auto problem = FactorNameProblem(label)) return ValidationError({{"name", *problem}});
  auto f = store_.GetFactor(app.id, user.id, factor_id);
  if (!f.ok() || f->confirmed_at || f->kind != store::FactorKind::kTotp) {
    return NotFoundError("no such enrolment: start again");
  }
  TESSERA_ASSIGN_OR_RETURN(std::string secret, OpenTotpSecret(*f));
  UnixMillis now = clock_.NowMillis();
  std::optional<int64_t> step = MatchTotp(secret, code, now, 0);
  if (!step) {
    Audit(audit_, MfaEvent(app, store::AuditAction::kMfaFactorEnrolled, user.id,
                           {{"kind", "totp"}, {"factor_id", f->id}, {"reason", "wrong_code"}},
                           nullptr, false));
    return ValidationError({{"code", "does not match: check the time on your device and type "
                                     "the current code"}});
  }
  TESSERA_ASSIGN_OR_RETURN(bool had_factors, HasFactors(app, user.id));
  TESSERA_RETURN_IF_ERROR(store_.RenameFactor(app.id, user.id, f->id, label));
  // The first code's step is spent: it cannot sign in again.
  TESSERA_RETURN_IF_ERROR(store_.ConfirmFactor(app.id, user.id, f->id, *step, now));
  EnrolledFactor out;
  TESSERA_ASSIGN_OR_RETURN(out.factor, store_.GetFactor(app.id, user.id, f->id));
  TESSERA_ASSIGN_OR_RETURN(int64_t codes_left, RecoveryCodesLeft(app, user.id));
  if (!had_factors || codes_left == 0) {
    TESSERA_ASSIGN_OR_RETURN(out.recovery_codes, StoreNewRecoveryCodes(app, user.id));
  }
  Audit(audit_, MfaEvent(app, store::AuditAction::kMfaFactorEnrolled, user.id,
                         {{"kind", "totp"}, {"factor_id", f->id}}));
  MailSecurityNotice(mail_, app, user, "mail.change_totp_added", {{"label", label}});
  return out;
}

Result<std::vector<store::Factor>> FactorService::ListFactors(const store::App& app,
                                                              std::string_view user_id) {
  TESSERA_ASSIGN_OR_RETURN(std::vector<store::Factor> all, store_.ListFactors(app.id, user_id));
  std::vector<store::Factor> confirmed;
  for (auto& f : all) {
    if (f.confirmed_at) confirmed.push_back(std::move(f));
  }
  return confirmed;
}

Result<bool> FactorService::HasFactors(const store::App& app, std::string_view user_id) {
  TESSERA_ASSIGN_OR_RETURN(std::vector<store::Factor> factors, ListFactors(app, user_id));
  return !factors.empty();
}

Result<int64_t> FactorService::RecoveryCodesLeft(const store::App& app, std::string_view user_id) {
  return store_.CountRecoveryCodes(app.id, user_id);
}

Status FactorService::Rename(const store::App& app, const store::User& user,
                             std::string_view factor_id, std::string_view name) {
  if (auto problem = FactorNameProblem(name)) return ValidationError({{"name", *problem}});
  auto f = store_.GetFactor(app.id, user.id, factor_id);
  if (!f.ok() || !f->confirmed_at) return NotFoundError("no such factor");
  TESSERA_RETURN_IF_ERROR(store_.RenameFactor(app.id, user.id, factor_id, name));
  Audit(audit_, MfaEvent(app, store::AuditAction::kMfaFactorRenamed, user.id,
                         {{"kind", KindText(f->kind)}, {"factor_id", f->id}}));
  return OkStatus();
}

Status FactorService::RequireRecentSignIn(UnixMillis auth_time) const {
  if (clock_.NowMillis() - auth_time > kRecentSignInMs) {
    return FailedPreconditionError("sign in again first: changing your second factors needs a "
                                   "sign-in within the last 15 minutes");
  }
  return OkStatus();
}

Status FactorService::Remove(const store::App& app, const store::User& user,
                             std::string_view factor_id, UnixMillis auth_time) {
  auto f = store_.GetFactor(app.id, user.id, factor_id);
  if (!f.ok() || !f->confirmed_at) return NotFoundError("no such factor");
  TESSERA_RETURN_IF_ERROR(RequireRecentSignIn(auth_time));
  TESSERA_RETURN_IF_ERROR(store_.DeleteFactor(app.id, user.id, factor_id));
  TESSERA_ASSIGN_OR_RETURN(bool still_has, HasFactors(app, user.id));
  // Recovery codes are never the only factor.
  if (!still_has) TESSERA_RETURN_IF_ERROR(store_.ReplaceRecoveryCodes(app.id, user.id, {}));
  Audit(audit_, MfaEvent(app, store::AuditAction::kMfaFactorRemoved, user.id,
                         {{"kind", KindText(f->kind)}, {"factor_id", f->id}}));
  MailSecurityNotice(mail_, app, user,
                     still_has ? "mail.change_factor_removed" : "mail.change_last_factor_removed",
                     {{"kind", f->kind == store::FactorKind::kTotp ? "totp" : "passkey"},
                      {"label", f->name}});
  return OkStatus();
}

Result<std::vector<std::string>> FactorService::StoreNewRecoveryCodes(const store::App& app,
                                                                      std::string_view user_id) {
  std::vector<std::string> codes = NewRecoveryCodes();
  std::vector<store::RecoveryCode> rows;
  UnixMillis now = clock_.NowMillis();
  for (const auto& c : codes) {
    store::RecoveryCode r;
    r.id = crypto::NewUuid();
    r.app_id = app.id;
    r.user_id = std::string(user_id);
    r.code_hash = RecoveryCodeHash(*NormalizeRecoveryCode(c));
    r.created_at = now;
    rows.push_back(std::move(r));
  }
  TESSERA_RETURN_IF_ERROR(store_.ReplaceRecoveryCodes(app.id, user_id, rows));
  return codes;
}

Result<std::vector<std::string>> FactorService::RegenerateRecoveryCodes(const store::App& app,
                                                                        const store::User& user,
                                                                        UnixMillis auth_time) {
  TESSERA_ASSIGN_OR_RETURN(bool has, HasFactors(app, user.id));
  if (!has) return FailedPreconditionError("add a second factor first");
  TESSERA_RETURN_IF_ERROR(RequireRecentSignIn(auth_time));
  TESSERA_ASSIGN_OR_RETURN(std::vector<std::string> codes, StoreNewRecoveryCodes(app, user.id));
  Audit(audit_, MfaEvent(app, store::AuditAction::kMfaRecoveryCodesRegenerated, user.id, {}));
  MailSecurityNotice(mail_, app, user, "mail.change_recovery_codes_new");
  return codes;
}

Result<std::string> FactorService::OpenTotpSecret(const store::Factor& factor) const {
  auto sealed = crypto::Base64Decode(factor.secret_sealed);
  if (!sealed) return InternalError("a sealed TOTP secret is not base64");
  return crypto::AeadOpen(master_key_, *sealed, factor.id);
}

Result<std::vector<std::string>> FactorService::EnsureRecoveryCodes(const store::App& app,
                                                                   std::string_view user_id) {
  TESSERA_ASSIGN_OR_RETURN(int64_t left, RecoveryCodesLeft(app, user_id));
  if (left > 0) return std::vector<std::string>{};
  return StoreNewRecoveryCodes(app, user_id);
}

Result<int64_t> FactorService::Reset(const store::App& app, const store::User& user,
                                     const Actor& actor) {
  TESSERA_ASSIGN_OR_RETURN(int64_t removed, store_.DeleteAllFactors(app.id, user.id));
  Audit(audit_,
        MfaEvent(app, store::AuditAction::kMfaReset, user.id, {{"factors", removed}}, &actor));
  if (removed > 0) {
    MailSecurityNotice(mail_, app, user, "mail.change_factors_reset");
  }
  return removed;
}

}  // namespace tessera::services
