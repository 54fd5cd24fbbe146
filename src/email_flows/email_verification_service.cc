#include "email_flows/email_verification_service.h"

#include <boost/json.hpp>

#include "base/log.h"
#include "accounts/identity_rules.h"

namespace tessera::services {

Status LinkProblem(store::EmailTokenOutcome outcome, std::string_view what_to_do) {
  switch (outcome) {
    case store::EmailTokenOutcome::kUsed:
      return FailedPreconditionError("This link has already been used (or a newer one was sent). " +
                                     std::string(what_to_do));
    case store::EmailTokenOutcome::kExpired:
      return FailedPreconditionError("This link has expired. " + std::string(what_to_do));
    default:
      return NotFoundError("This link is not valid. " + std::string(what_to_do));
  }
}

Status EmailVerificationService::SendVerification(const store::App& app, const store::User& user,
                                                  const ClientInfo& client,
                                                  std::string_view locale_hint) {
  if (user.email_verified) return OkStatus();
  TESSERA_RETURN_IF_ERROR(ctx_.limiter.Acquire(app, user.email_normalized, client.ip));
  return MailVerificationLink(app, user, locale_hint);
}

Status EmailVerificationService::MailVerificationLink(const store::App& app,
                                                      const store::User& user,
                                                      std::string_view locale_hint) {
  TESSERA_ASSIGN_OR_RETURN(
      IssuedToken t,
      ctx_.tokens.IssueLink(app, user.id, user.email_normalized,
                            store::EmailTokenPurpose::kVerifyEmail, options_.verify_ttl_s));
  kainjow::mustache::data v;
  v.set("link", TokenLink(ctx_, app, "verify-email", t.secret));
  v.set("expires_in_s", std::to_string(options_.verify_ttl_s));
  return SendTemplatedMail(ctx_, app, "verify_email", user.email, std::move(v), &user,
                           locale_hint);
}

Status EmailVerificationService::ResendVerification(const store::App& app, std::string_view email,
                                                    const ClientInfo& client,
                                                    std::string_view locale_hint) {
  TESSERA_ASSIGN_OR_RETURN(auto user, MailRecipient(ctx_, app, email, client.ip));
  if (!user || user->email_verified) return OkStatus();  // the same answer: no enumeration
  return MailVerificationLink(app, *user, locale_hint);
}

Result<store::User> EmailVerificationService::Verify(const store::App& app, std::string_view token) {
  TESSERA_ASSIGN_OR_RETURN(
      store::EmailTokenRedemption r,
      ctx_.tokens.RedeemLink(app, token, store::EmailTokenPurpose::kVerifyEmail));
  constexpr std::string_view kAgain = "Sign in and ask for a new verification email.";
  if (r.outcome != store::EmailTokenOutcome::kConsumed) {
    // Clicking twice (or a mail scanner clicking first) must not look like a failure.
    if (r.outcome == store::EmailTokenOutcome::kUsed && r.token && r.token->user_id) {
      auto user = ctx_.users.GetUser(app.id, *r.token->user_id);
      if (user.ok() && user->email_verified && user->email_normalized == r.token->email) return user;
    }
    return LinkProblem(r.outcome, kAgain);
  }
  if (!r.token->user_id) return LinkProblem(store::EmailTokenOutcome::kInvalid, kAgain);
  std::string email = r.token->email;
  auto user = ctx_.users.UpdateUser(app.id, *r.token->user_id, [&](store::User& u) -> Status {
    // The link proves this address only: the user may have changed theirs since.
    if (u.email_normalized != email) return FailedPreconditionError("address changed");
    u.email_verified = true;
    u.updated_at = ctx_.clock.NowMillis();
    return OkStatus();
  });
  if (user.status().code() == StatusCode::kFailedPrecondition || user.status().IsNotFound()) {
    return LinkProblem(store::EmailTokenOutcome::kInvalid, kAgain);
  }
  if (user.ok()) {
    LogJson(spdlog::level::info, "email_verified", {{"app", app.slug}, {"user_id", user->id}});
    Audit(ctx_.audit, {.app_id = app.id,
                       .action = store::AuditAction::kEmailVerified,
                       .actor_type = store::AuditActorType::kUser,
                       .actor_id = user->id,
                       .subject_type = store::AuditSubjectType::kUser,
                       .subject_id = user->id});
  }
  return user;
}

Status EmailVerificationService::RequestEmailChange(const store::App& app, std::string_view user_id,
                                                    std::string_view new_email,
                                                    std::string_view current_password,
                                                    const ClientInfo& client,
                                                    std::string_view locale_hint) {
  TESSERA_ASSIGN_OR_RETURN(store::User user, ctx_.users.GetUser(app.id, user_id));
  auto email = ValidEmail(new_email);
  if (!email) return ValidationError({{"new_email", "must be a valid email address"}});
  std::string normalized = NormalizeEmail(*email);
  if (normalized == user.email_normalized) {
    return ValidationError({{"new_email", "is already your email address"}});
  }
  TESSERA_RETURN_IF_ERROR(accounts_.ConfirmCurrentPassword(app, user, current_password, client));
  // The mail limit before the lookup: a taken address must spend it like a free one, or the
  // count of accepted requests would tell them apart (issue 11, item 9).
  TESSERA_RETURN_IF_ERROR(ctx_.limiter.Acquire(app, normalized, client.ip));
  // A taken address gets no mail, and the answer is the same: whether someone else uses an
  // address is not this user's business.
  auto taken = ctx_.users.GetUserByEmail(app.id, normalized);
  if (taken.ok()) return OkStatus();
  if (!taken.status().IsNotFound()) return taken.status();
  TESSERA_ASSIGN_OR_RETURN(IssuedToken t,
                           ctx_.tokens.IssueLink(app, user.id, user.email_normalized,
                                                 store::EmailTokenPurpose::kChangeEmail,
                                                 options_.change_ttl_s, normalized));
  kainjow::mustache::data v;
  v.set("link", TokenLink(ctx_, app, "confirm-email-change", t.secret));
  v.set("new_email", normalized);
  v.set("expires_in_s", std::to_string(options_.change_ttl_s));
  // To the new address, in the language of the account it is for.
  return SendTemplatedMail(ctx_, app, "change_email", normalized, std::move(v), &user,
                           locale_hint);
}

Result<store::User> EmailVerificationService::ConfirmEmailChange(const store::App& app,
                                                                 std::string_view token,
                                                                 std::string_view locale_hint) {
  TESSERA_ASSIGN_OR_RETURN(
      store::EmailTokenRedemption r,
      ctx_.tokens.RedeemLink(app, token, store::EmailTokenPurpose::kChangeEmail));
  constexpr std::string_view kAgain = "Ask for the change again from your account.";
  if (r.outcome != store::EmailTokenOutcome::kConsumed || !r.token->user_id) {
    return LinkProblem(r.outcome, kAgain);
  }
  std::string old_email;
  const std::string new_email = r.token->new_email;
  auto user = ctx_.users.UpdateUser(app.id, *r.token->user_id, [&](store::User& u) -> Status {
    if (u.email_normalized != r.token->email) return FailedPreconditionError("address changed");
    old_email = u.email;
    u.email = new_email;
    u.email_normalized = new_email;
    u.email_verified = true;
    u.updated_at = ctx_.clock.NowMillis();
    return OkStatus();
  });
  if (user.status().ClashedOn(store::UserUniqueKey::kEmail)) {
    return FailedPreconditionError("This address is now used by another account.");
  }
  if (user.status().code() == StatusCode::kFailedPrecondition || user.status().IsNotFound()) {
    return LinkProblem(store::EmailTokenOutcome::kInvalid, kAgain);
  }
  TESSERA_RETURN_IF_ERROR(user.status());
  kainjow::mustache::data v;
  v.set("new_email", new_email);
  Status notice = SendTemplatedMail(ctx_, app, "email_changed", old_email, std::move(v), &*user,
                                    locale_hint);
  if (!notice.ok()) {
    LogJson(spdlog::level::warn, "email_change_notice_failed", {{"error", notice.ToString()}});
  }
  LogJson(spdlog::level::info, "email_changed", {{"app", app.slug}, {"user_id", user->id}});
  Audit(ctx_.audit, {.app_id = app.id,
                     .action = store::AuditAction::kUserEmailChanged,
                     .actor_type = store::AuditActorType::kUser,
                     .actor_id = user->id,
                     .subject_type = store::AuditSubjectType::kUser,
                     .subject_id = user->id,
                     .details_json = boost::json::serialize(
                         boost::json::object{{"old_email", old_email}, {"new_email", new_email}})});
  return user;
}

}  // namespace tessera::services
