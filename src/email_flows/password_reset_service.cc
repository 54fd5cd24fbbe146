#include "email_flows/password_reset_service.h"

#include <ctime>

#include "base/time_format.h"
#include "base/log.h"
#include "email_flows/email_verification_service.h"
#include "accounts/identity_rules.h"

namespace tessera::services {

Status PasswordResetService::RequestReset(const store::App& app, std::string_view email,
                                          const ClientInfo& client, std::string_view locale_hint) {
  TESSERA_ASSIGN_OR_RETURN(auto user, MailRecipient(ctx_, app, email, client.ip));
  if (!user) return OkStatus();  // the same answer whether or not the address has an account
  TESSERA_ASSIGN_OR_RETURN(
      IssuedToken t,
      ctx_.tokens.IssueLink(app, user->id, user->email_normalized,
                            store::EmailTokenPurpose::kPasswordReset,
                            options_.link_ttl_s));
  kainjow::mustache::data v;
  v.set("link", TokenLink(ctx_, app, "reset-password", t.secret));
  v.set("expires_in_s", std::to_string(options_.link_ttl_s));
  return SendTemplatedMail(ctx_, app, "password_reset", user->email, std::move(v), &*user,
                           locale_hint);
}

Status PasswordResetService::CheckLink(const store::App& app, std::string_view token) {
  constexpr std::string_view kAgain = "Ask for a new password reset link.";
  auto peeked = ctx_.tokens.PeekLink(app, token, store::EmailTokenPurpose::kPasswordReset);
  if (peeked.status().IsNotFound() || (peeked.ok() && !peeked->user_id)) {
    return LinkProblem(store::EmailTokenOutcome::kInvalid, kAgain);
  }
  TESSERA_RETURN_IF_ERROR(peeked.status());
  if (peeked->used_at) return LinkProblem(store::EmailTokenOutcome::kUsed, kAgain);
  if (peeked->expires_at <= ctx_.clock.NowMillis()) {
    return LinkProblem(store::EmailTokenOutcome::kExpired, kAgain);
  }
  // As ResetPassword: a link mailed to an address the account no longer has is void.
  auto owner = ctx_.users.GetUser(app.id, *peeked->user_id);
  if (owner.status().IsNotFound() || (owner.ok() && owner->email_normalized != peeked->email)) {
    return LinkProblem(store::EmailTokenOutcome::kInvalid, kAgain);
  }
  return owner.status();
}

Status PasswordResetService::ResetPassword(const store::App& app, std::string_view token,
                                           std::string_view new_password,
                                           std::string_view locale_hint) {
  // The whole policy first — the app's, as the reset itself applies it, with the account the
  // link is for — so that a refused password does not spend the link.
  auto peeked = ctx_.tokens.PeekLink(app, token, store::EmailTokenPurpose::kPasswordReset);
  std::optional<store::User> owner;
  if (peeked.ok() && peeked->user_id) {
    auto user = ctx_.users.GetUser(app.id, *peeked->user_id);
    if (user.ok()) owner = std::move(*user);
  }
  if (auto why = CheckPassword(new_password, accounts_.PolicyFor(app),
                               owner ? owner->email : "",
                               owner ? owner->username.value_or("") : "")) {
    return ValidationError({{"new_password", *why}});
  }
  TESSERA_ASSIGN_OR_RETURN(
      store::EmailTokenRedemption r,
      ctx_.tokens.RedeemLink(app, token, store::EmailTokenPurpose::kPasswordReset));
  constexpr std::string_view kAgain = "Ask for a new password reset link.";
  if (r.outcome != store::EmailTokenOutcome::kConsumed || !r.token->user_id) {
    return LinkProblem(r.outcome, kAgain);
  }
  // The link proves the mailbox it was sent to, nothing more: once the account's address
  // has changed, a link mailed to the old one is void.
  auto current = ctx_.users.GetUser(app.id, *r.token->user_id);
  if (current.status().IsNotFound() ||
      (current.ok() && current->email_normalized != r.token->email)) {
    return LinkProblem(store::EmailTokenOutcome::kInvalid, kAgain);
  }
  TESSERA_RETURN_IF_ERROR(current.status());
  TESSERA_ASSIGN_OR_RETURN(store::User user,
                           accounts_.ResetPassword(app, *r.token->user_id, new_password));
  Audit(ctx_.audit, {.app_id = app.id,
                     .action = store::AuditAction::kUserPasswordReset,
                     .actor_type = store::AuditActorType::kUser,
                     .actor_id = user.id,
                     .subject_type = store::AuditSubjectType::kUser,
                     .subject_id = user.id,
                     .details_json = R"({"method":"email_link"})"});
  kainjow::mustache::data v;
  v.set("time_utc", FormatUtc(ctx_.clock.NowMillis(), kReadableUtc));
  Status notice = SendTemplatedMail(ctx_, app, "password_changed", user.email, std::move(v), &user,
                                    locale_hint);
  if (!notice.ok()) LogJson(spdlog::level::warn, "password_notice_failed", {{"error", notice.ToString()}});
  return OkStatus();
}

}  // namespace tessera::services
