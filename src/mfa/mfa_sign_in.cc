#include "mfa/mfa_sign_in.h"

#include <boost/json.hpp>

#include "base/log.h"
#include "base/strings.h"
#include "crypto/aead.h"
#include "crypto/digest.h"
#include "crypto/random.h"
#include "mfa/mfa_events.h"
#include "mfa/recovery_codes.h"
#include "mfa/totp.h"

namespace tessera::services {
namespace json = boost::json;
namespace {

constexpr std::string_view kWrongCode = "That code is not right. Try the current code again.";

std::string_view PrefixOf(store::MfaChallengeKind kind) {
  return kind == store::MfaChallengeKind::kSignIn ? kMfaSignInPrefix : kMfaTokenPrefix;
}

std::string Member(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

// What a challenge carries across (Begin wrote it): the first step, and whether an enrolment
// is asked for. The one reader of payload_json.
struct ChallengePayload {
  FirstFactor first;
  bool enrol = false;
};
ChallengePayload PayloadOf(const store::MfaChallenge& c) {
  boost::system::error_code ec;
  json::value v = json::parse(c.payload_json, ec);
  json::object o = !ec && v.is_object() ? v.as_object() : json::object{};
  auto* enrol = o.if_contains("enrol");
  return {{Member(o, "amr"), Member(o, "idp"), Member(o, "return_to")},
          enrol && enrol->is_bool() && enrol->as_bool()};
}

bool HasAmr(std::string_view amr, std::string_view value) {
  return (" " + std::string(amr) + " ").find(" " + std::string(value) + " ") != std::string::npos;
}

// The throttle's subject for second-factor guesses: its own budget, apart from passwords.
std::string ThrottleSubject(const store::User& user) { return "mfa:" + user.id; }

}  // namespace

std::string CombinedAmr(std::string_view first, std::string_view second) {
  std::vector<std::string> values;
  auto add = [&values](std::string_view list) {
    size_t start = 0;
    while (start <= list.size()) {
      size_t end = std::min(list.find(' ', start), list.size());
      std::string v(list.substr(start, end - start));
      if (!v.empty() && !Contains(values, v)) values.push_back(v);
      start = end + 1;
    }
  };
  add(first);
  add(second);
  add("mfa");
  std::string out;
  for (const auto& v : values) out += (out.empty() ? "" : " ") + v;
  return out;
}

Result<SecondStep> MfaSignIn::StepAfter(const store::App& app, const store::User& user,
                                        bool demanded) {
  TESSERA_ASSIGN_OR_RETURN(bool has, factors_.HasFactors(app, user.id));
  if (has) return SecondStep::kVerify;
  const bool required = app.settings.mfa == store::MfaPolicy::kRequired || demanded;
  return required && !EnrolMethods(app).empty() ? SecondStep::kEnrol : SecondStep::kNone;
}

std::vector<std::string> MfaSignIn::EnrolMethods(const store::App& app) const {
  std::vector<std::string> methods;
  if (FactorService::MayEnrol(app, store::FactorKind::kTotp)) methods.push_back("totp");
  if (passkeys_ && FactorService::MayEnrol(app, store::FactorKind::kWebAuthn)) {
    methods.push_back("passkey");
  }
  return methods;
}

Result<std::string> MfaSignIn::Begin(const store::App& app, const store::User& user,
                                     store::MfaChallengeKind kind, const FirstFactor& first,
                                     SecondStep step) {
  std::string token = crypto::NewSecretToken(PrefixOf(kind));
  store::MfaChallenge c;
  c.hash = crypto::TokenHash(token);
  c.app_id = app.id;
  c.user_id = user.id;
  c.kind = kind;
  c.payload_json = json::serialize(json::object{{"amr", first.amr},
                                                {"idp", first.idp},
                                                {"return_to", first.return_to},
                                                {"enrol", step == SecondStep::kEnrol}});
  c.created_at = clock_.NowMillis();
  c.expires_at = c.created_at + kMfaChallengeTtlMs;
  TESSERA_RETURN_IF_ERROR(store_.CreateMfaChallenge(c));
  return token;
}

Result<store::MfaChallenge> MfaSignIn::LiveChallenge(const store::App& app,
                                                     std::string_view token,
                                                     store::MfaChallengeKind kind) {
  if (!crypto::IsSecretTokenShaped(token, PrefixOf(kind))) {
    return NotFoundError("this sign-in has expired: start again");
  }
  auto c = store_.GetLiveMfaChallenge(app.id, crypto::TokenHash(token), kind, clock_.NowMillis());
  if (c.status().code() == StatusCode::kNotFound) {
    return NotFoundError("this sign-in has expired: start again");
  }
  return c;
}

Result<store::User> MfaSignIn::LiveUser(const store::App& app, std::string_view user_id) {
  auto user = accounts_.GetUser(app, user_id);
  if (!user.ok() || user->disabled) return NotFoundError("this sign-in has expired: start again");
  return user;
}

Result<PendingSecondFactor> MfaSignIn::Pending(const store::App& app, std::string_view token,
                                               store::MfaChallengeKind kind) {
  TESSERA_ASSIGN_OR_RETURN(store::MfaChallenge c, LiveChallenge(app, token, kind));
  PendingSecondFactor p;
  TESSERA_ASSIGN_OR_RETURN(p.user, LiveUser(app, c.user_id));
  ChallengePayload payload = PayloadOf(c);
  p.first = std::move(payload.first);
  p.step = payload.enrol ? SecondStep::kEnrol : SecondStep::kVerify;
  p.expires_at = c.expires_at;
  if (p.step == SecondStep::kVerify) {
    TESSERA_ASSIGN_OR_RETURN(std::vector<store::Factor> factors,
                             factors_.ListFactors(app, p.user.id));
    bool totp = false, passkey = false;
    for (const auto& f : factors) {
      totp = totp || f.kind == store::FactorKind::kTotp;
      passkey = passkey || f.kind == store::FactorKind::kWebAuthn;
    }
    if (totp) p.methods.push_back("totp");
    if (passkey && passkeys_) p.methods.push_back("passkey");
    TESSERA_ASSIGN_OR_RETURN(int64_t codes, factors_.RecoveryCodesLeft(app, p.user.id));
    if (codes > 0) p.methods.push_back("recovery_code");
  }
  return p;
}

Result<std::string> MfaSignIn::CheckTotp(const store::App& app, const store::User& user,
                                         std::string_view code) {
  TESSERA_ASSIGN_OR_RETURN(std::vector<store::Factor> factors, factors_.ListFactors(app, user.id));
  const UnixMillis now = clock_.NowMillis();
  for (const auto& f : factors) {
    if (f.kind != store::FactorKind::kTotp) continue;
    auto secret = factors_.OpenTotpSecret(f);
    if (!secret.ok()) {
      LogJson(spdlog::level::err, "totp_secret_unreadable",
              {{"app", app.slug}, {"factor_id", f.id}});
      continue;
    }
    std::optional<int64_t> step = MatchTotp(*secret, code, now, f.counter);
    if (!step) continue;
    // Compare-and-set: the step is spent by whichever request gets here first.
    Status advanced = store_.AdvanceFactorCounter(app.id, f.id, *step, false, now);
    if (advanced.ok()) return f.id;
    if (advanced.code() != StatusCode::kFailedPrecondition) return advanced;
  }
  return UnauthenticatedError(std::string(kWrongCode));
}

Status MfaSignIn::CheckRecoveryCode(const store::App& app, const store::User& user,
                                    std::string_view code) {
  std::optional<std::string> normalized = NormalizeRecoveryCode(code);
  if (!normalized) return UnauthenticatedError("That recovery code is not right.");
  Status used = store_.UseRecoveryCode(app.id, user.id, RecoveryCodeHash(*normalized),
                                       clock_.NowMillis());
  if (used.code() == StatusCode::kNotFound) {
    return UnauthenticatedError("That recovery code is not right, or was used already.");
  }
  return used;
}

Result<CompletedSignIn> MfaSignIn::Complete(const store::App& app, std::string_view token,
                                            store::MfaChallengeKind kind,
                                            std::string_view method, std::string_view code,
                                            const ClientInfo& client) {
  TESSERA_ASSIGN_OR_RETURN(store::MfaChallenge challenge, LiveChallenge(app, token, kind));
  TESSERA_ASSIGN_OR_RETURN(store::User user, LiveUser(app, challenge.user_id));
  if (method != "totp" && method != "recovery_code") {
    return ValidationError({{"method", "must be totp or recovery_code"}});
  }
  if (throttle_) {
    TESSERA_RETURN_IF_ERROR(throttle_->Check(app, ThrottleSubject(user), client.ip));
  }
  std::string factor_id;
  Status checked;
  if (method == "totp") {
    auto id = CheckTotp(app, user, code);
    checked = id.status();
    if (id.ok()) factor_id = *id;
  } else {
    checked = CheckRecoveryCode(app, user, code);
  }
  if (!checked.ok()) {
    if (checked.code() == StatusCode::kUnauthenticated) {
      if (throttle_) throttle_->RecordFailure(app, ThrottleSubject(user), client.ip);
      Audit(audit_, MfaEvent(app, store::AuditAction::kMfaFailed, user.id,
                             {{"method", method}, {"reason", "wrong_code"}}, nullptr, false));
    }
    return checked;
  }
  if (throttle_) throttle_->RecordSuccess(app, ThrottleSubject(user));
  json::object details{{"method", method}};
  if (!factor_id.empty()) details["factor_id"] = factor_id;
  Audit(audit_, MfaEvent(app, store::AuditAction::kMfaVerified, user.id, details));
  if (method == "recovery_code") {
    auto counted = factors_.RecoveryCodesLeft(app, user.id);
    int64_t left = counted.ok() ? *counted : 0;
    Audit(audit_, MfaEvent(app, store::AuditAction::kMfaRecoveryCodeUsed, user.id,
                           {{"remaining", left}}));
    MailSecurityNotice(mail_, app, user, "mail.change_recovery_code_used",
                       {{"left", std::to_string(left)}});
  }
  return Finish(app, challenge, std::move(user), method == "totp" ? "otp" : "");
}

Result<CompletedSignIn> MfaSignIn::CompleteWithPasskey(const store::App& app,
                                                       std::string_view token,
                                                       store::MfaChallengeKind kind,
                                                       std::string_view credential_json,
                                                       const ClientInfo& client) {
  if (!passkeys_) return FailedPreconditionError("passkeys are not available");
  TESSERA_ASSIGN_OR_RETURN(store::MfaChallenge challenge, LiveChallenge(app, token, kind));
  TESSERA_ASSIGN_OR_RETURN(store::User user, LiveUser(app, challenge.user_id));
  TESSERA_ASSIGN_OR_RETURN(PasskeyProof proof,
                           passkeys_->Authenticate(app, token, credential_json, &user, client));
  // A passkey without user verification was the first factor: a passkey (the same one, or
  // another "something you have") adds a factor only with user verification (its PIN or
  // biometric).
  const std::string first_amr = PayloadOf(challenge).first.amr;
  const bool first_was_passkey = HasAmr(first_amr, "hwk") || HasAmr(first_amr, "swk");
  if (first_was_passkey && !proof.user_verified) {
    Audit(audit_, MfaEvent(app, store::AuditAction::kMfaFailed, user.id,
                           {{"method", "passkey"}, {"reason", "passkey_twice_without_verification"}},
                           nullptr, false));
    return UnauthenticatedError("a passkey was your first step: verify it with your screen lock, "
                                "or use another way");
  }
  return Finish(app, challenge, std::move(proof.user), proof.amr);
}

Result<CompletedSignIn> MfaSignIn::Finish(const store::App& app,
                                          const store::MfaChallenge& challenge, store::User user,
                                          std::string_view second_amr) {
  // Single use: of two completions racing (two right codes), one gets the sign-in.
  auto consumed =
      store_.ConsumeMfaChallenge(app.id, challenge.hash, challenge.kind, clock_.NowMillis());
  if (!consumed.ok()) return NotFoundError("this sign-in has expired: start again");
  CompletedSignIn done;
  done.first = PayloadOf(*consumed).first;
  done.amr = CombinedAmr(done.first.amr, second_amr);
  done.user = std::move(user);
  return done;
}

Result<TotpEnrolment> MfaSignIn::BeginEnrolment(const store::App& app, std::string_view token,
                                                store::MfaChallengeKind kind,
                                                std::string_view issuer) {
  TESSERA_ASSIGN_OR_RETURN(PendingSecondFactor p, Pending(app, token, kind));
  if (p.step != SecondStep::kEnrol) return FailedPreconditionError("no enrolment is asked for");
  return factors_.BeginTotp(app, p.user, issuer);
}

Result<CompletedSignIn> MfaSignIn::CompleteEnrolment(const store::App& app,
                                                     std::string_view token,
                                                     store::MfaChallengeKind kind,
                                                     std::string_view factor_id,
                                                     std::string_view code,
                                                     const ClientInfo& client) {
  TESSERA_ASSIGN_OR_RETURN(store::MfaChallenge challenge, LiveChallenge(app, token, kind));
  TESSERA_ASSIGN_OR_RETURN(PendingSecondFactor p, Pending(app, token, kind));
  if (p.step != SecondStep::kEnrol) return FailedPreconditionError("no enrolment is asked for");
  if (throttle_) TESSERA_RETURN_IF_ERROR(throttle_->Check(app, ThrottleSubject(p.user), client.ip));
  auto enrolled = factors_.ConfirmTotp(app, p.user, factor_id, code, "");
  if (!enrolled.ok()) {
    if (enrolled.status().code() == StatusCode::kInvalidArgument && throttle_) {
      throttle_->RecordFailure(app, ThrottleSubject(p.user), client.ip);
    }
    return enrolled.status();
  }
  TESSERA_ASSIGN_OR_RETURN(CompletedSignIn done, Finish(app, challenge, std::move(p.user), "otp"));
  done.recovery_codes = std::move(enrolled->recovery_codes);
  return done;
}

Result<CompletedSignIn> MfaSignIn::CompleteEnrolmentWithPasskey(const store::App& app,
                                                                std::string_view token,
                                                                store::MfaChallengeKind kind,
                                                                std::string_view credential_json) {
  if (!passkeys_) return FailedPreconditionError("passkeys are not available");
  TESSERA_ASSIGN_OR_RETURN(store::MfaChallenge challenge, LiveChallenge(app, token, kind));
  TESSERA_ASSIGN_OR_RETURN(PendingSecondFactor p, Pending(app, token, kind));
  if (p.step != SecondStep::kEnrol) return FailedPreconditionError("no enrolment is asked for");
  TESSERA_ASSIGN_OR_RETURN(store::Factor factor,
                           passkeys_->Register(app, p.user, token, credential_json, ""));
  TESSERA_ASSIGN_OR_RETURN(std::vector<std::string> codes,
                           factors_.EnsureRecoveryCodes(app, p.user.id));
  // Registering proved possession (and, with user verification, the screen lock): "hwk".
  TESSERA_ASSIGN_OR_RETURN(CompletedSignIn done, Finish(app, challenge, std::move(p.user), "hwk"));
  done.recovery_codes = std::move(codes);
  return done;
}

Result<ApiSignIn> MfaSignIn::ApiLogin(const store::App& app, std::string_view identifier,
                                      std::string_view password, const ClientInfo& client) {
  TESSERA_ASSIGN_OR_RETURN(store::User user,
                           accounts_.Authenticate(app, identifier, password, client));
  return ApiNext(app, std::move(user), client, FirstFactor{"pwd", "", ""});
}

Result<ApiSignIn> MfaSignIn::ApiAfterFirstFactor(const store::App& app, store::User user,
                                                 const ClientInfo& client,
                                                 std::string_view method,
                                                 const FirstFactor& first) {
  TESSERA_ASSIGN_OR_RETURN(store::User signed_in,
                           accounts_.RecordVerifiedSignIn(app, std::move(user), client, nullptr,
                                                          method));
  return ApiNext(app, std::move(signed_in), client, first);
}

Result<ApiSignIn> MfaSignIn::ApiAfterPasskey(const store::App& app, const PasskeyProof& proof,
                                            const ClientInfo& client) {
  TESSERA_ASSIGN_OR_RETURN(store::User user,
                           accounts_.RecordVerifiedSignIn(app, proof.user, client, nullptr,
                                                          "passkey"));
  if (!proof.user_verified) return ApiNext(app, std::move(user), client, {proof.amr, "", ""});
  ApiSignIn out;
  TESSERA_ASSIGN_OR_RETURN(TokenGrant grant,
                           sessions_.StartProvenSession(app, std::move(user), client, proof.amr));
  out.grant = std::move(grant);
  return out;
}

Result<ApiSignIn> MfaSignIn::ApiNext(const store::App& app, store::User user,
                                     const ClientInfo& client, const FirstFactor& first) {
  TESSERA_ASSIGN_OR_RETURN(SecondStep step, StepAfter(app, user));
  ApiSignIn out;
  if (step == SecondStep::kNone) {
    TESSERA_ASSIGN_OR_RETURN(TokenGrant grant,
                             sessions_.StartProvenSession(app, std::move(user), client, first.amr));
    out.grant = std::move(grant);
    return out;
  }
  MfaNeeded need;
  TESSERA_ASSIGN_OR_RETURN(need.mfa_token,
                           Begin(app, user, store::MfaChallengeKind::kApiLogin, first, step));
  need.expires_in = kMfaChallengeTtlMs / 1000;
  need.enrol = step == SecondStep::kEnrol;
  if (!need.enrol) {
    TESSERA_ASSIGN_OR_RETURN(PendingSecondFactor p,
                             Pending(app, need.mfa_token, store::MfaChallengeKind::kApiLogin));
    need.methods = std::move(p.methods);
  } else {
    need.methods = EnrolMethods(app);
  }
  out.mfa = std::move(need);
  return out;
}

Result<TokenGrant> MfaSignIn::ApiTokens(const store::App& app, const CompletedSignIn& done,
                                        const ClientInfo& client) {
  return sessions_.StartProvenSession(app, done.user, client, done.amr);
}

}  // namespace tessera::services
