#include "management/app_invitation_service.h"

#include <algorithm>

#include <boost/json.hpp>

#include "accounts/identity_rules.h"
#include "crypto/digest.h"
#include "crypto/random.h"
#include "email_flows/mail_flow.h"
#include "email_flows/mail_templates.h"

namespace tessera::services {
namespace {

constexpr int64_t kHourMs = 3600LL * 1000;
constexpr int64_t kDayMs = 24 * kHourMs;

store::AuditEvent InvitationEvent(const Actor& actor, store::AuditAction action,
                                  const store::AppInvitation& inv) {
  store::AuditEvent e = ActorEvent(actor, action);
  e.app_id = inv.app_id;
  e.details_json = boost::json::serialize(boost::json::object{
      {"invitation_id", inv.id}, {"email", inv.email}, {"role", ToText(inv.role)}});
  return e;
}

Status OwnersOnly(const AppAccess& access) {
  if (access.may_manage_members()) return OkStatus();
  return PermissionDeniedError("only the app's owners can invite and manage members");
}

}  // namespace

// Counted before anything is written, refusals included (AddThrottleFailure is atomic, so
// parallel invitations cannot all slip under the limit).
Status AppInvitationService::CountInvitation(std::string_view inviter_id) {
  const int64_t now = clock_.NowMillis();
  TESSERA_ASSIGN_OR_RETURN(store::ThrottleState st,
                           throttle_.AddThrottleFailure("invite:" + std::string(inviter_id), now, kHourMs));
  if (st.failures <= kMaxInvitationsPerHour) return OkStatus();
  int64_t wait_s = std::max<int64_t>(1, (st.window_start + kHourMs - now + 999) / 1000);
  return RateLimitedError("Too many invitations sent. Try again later.", wait_s);
}

Status AppInvitationService::SendMail(const store::App& app, const store::AppInvitation& inv,
                                      std::string_view token) {
  TESSERA_ASSIGN_OR_RETURN(store::App console, apps_.Find(kConsoleAppSlug));
  kainjow::mustache::data vars;
  vars.set("app_name", console.name);
  vars.set("invited_app", app.name);
  vars.set("role", std::string(ToText(inv.role)));
  vars.set("link", apps_.public_url() + "/console/invitations?token=" + std::string(token));
  vars.set("expires_in_s", std::to_string(kInvitationTtlDays * 24 * 3600));
  // To a developer: the console's default language (English unless an operator set one).
  TESSERA_ASSIGN_OR_RETURN(MailContent content,
                           RenderMail("console_invitation", vars, MailTexts(console, nullptr)));
  return mailer_.Send(console, "console_invitation", inv.email, content);
}

Result<store::AppInvitation> AppInvitationService::Invite(const AppAccess& access,
                                                          std::string_view email,
                                                          std::string_view role,
                                                          const Actor& actor) {
  TESSERA_RETURN_IF_ERROR(OwnersOnly(access));
  std::optional<store::MemberRole> member_role = FromText<store::MemberRole>(role);
  if (!member_role) return ValidationError({{"role", "must be owner or member"}});
  if (access.app.slug == kConsoleAppSlug) {
    return FailedPreconditionError("the console app has operators, not members");
  }
  auto valid = ValidEmail(email);
  if (!valid) return ValidationError({{"email", "must be an email address"}});
  TESSERA_RETURN_IF_ERROR(CountInvitation(actor.id));
  const std::string token = crypto::NewSecretToken(kInvitationTokenPrefix);
  const int64_t now = clock_.NowMillis();
  store::AppInvitation inv{crypto::NewUuid(), access.app.id,       NormalizeEmail(*valid),
                           *member_role,      crypto::TokenHash(token), actor.id,
                           now,               now + kInvitationTtlDays * kDayMs};
  Status s = invitations_.CreateAppInvitation(inv, kMaxPendingInvitationsPerApp, now);
  if (s.ClashedOn(store::AppInvitationUniqueKey::kAddress)) {
    return AlreadyExistsError("already invited").WithFieldErrors(
        {{"email", "has a pending invitation: revoke it to send a new one"}});
  }
  if (s.code() == StatusCode::kResourceExhausted) {
    return FailedPreconditionError("an app may have at most 50 pending invitations");
  }
  TESSERA_RETURN_IF_ERROR(s);
  if (Status sent = SendMail(access.app, inv, token); !sent.ok()) {
    (void)invitations_.DeleteAppInvitation(inv.app_id, inv.id);  // nobody could accept it
    return sent;
  }
  Audit(audit_, InvitationEvent(actor, store::AuditAction::kAppInvitationSent, inv));
  return inv;
}

Result<std::vector<store::AppInvitation>> AppInvitationService::ListForApp(
    const AppAccess& access) {
  TESSERA_RETURN_IF_ERROR(OwnersOnly(access));
  return invitations_.ListAppInvitations(access.app.id, clock_.NowMillis());
}

Status AppInvitationService::Revoke(const AppAccess& access, std::string_view invitation_id,
                                    const Actor& actor) {
  TESSERA_RETURN_IF_ERROR(OwnersOnly(access));
  auto inv = invitations_.GetAppInvitation(invitation_id);
  if (inv.status().IsNotFound() || (inv.ok() && inv->app_id != access.app.id)) {
    return NotFoundError("no such invitation");
  }
  TESSERA_RETURN_IF_ERROR(inv.status());
  TESSERA_RETURN_IF_ERROR(invitations_.DeleteAppInvitation(access.app.id, invitation_id));
  Audit(audit_, InvitationEvent(actor, store::AuditAction::kAppInvitationRevoked, *inv));
  return OkStatus();
}

Result<std::vector<InvitationView>> AppInvitationService::ListMine(const store::User& user) {
  std::vector<InvitationView> out;
  if (!user.email_verified) return out;  // the mailed link still works
  TESSERA_ASSIGN_OR_RETURN(auto invitations, invitations_.ListAppInvitationsForEmail(
                                                 user.email_normalized, clock_.NowMillis()));
  for (auto& inv : invitations) {
    auto app = app_store_.GetAppById(inv.app_id);
    if (app.status().IsNotFound()) continue;
    if (!app.ok()) return app.status();
    out.push_back({std::move(inv), app->slug, app->name});
  }
  return out;
}

Result<InvitationView> AppInvitationService::Find(const store::User& user,
                                                  std::string_view invitation_id,
                                                  std::string_view token) {
  const Status none = NotFoundError("no such invitation: it may have expired or been answered");
  const bool by_token = !token.empty();
  auto inv = by_token ? invitations_.GetAppInvitationByTokenHash(crypto::TokenHash(token))
                      : invitations_.GetAppInvitation(invitation_id);
  if (inv.status().IsNotFound()) return none;
  TESSERA_RETURN_IF_ERROR(inv.status());
  // Addressed to this user, proven by the link or by their verified address, and live.
  if (inv->email != user.email_normalized) return none;
  if (!by_token && !user.email_verified) return none;
  if (inv->expires_at <= clock_.NowMillis()) return none;
  auto app = app_store_.GetAppById(inv->app_id);
  if (app.status().IsNotFound()) return none;
  TESSERA_RETURN_IF_ERROR(app.status());
  return InvitationView{std::move(*inv), app->slug, app->name};
}

Result<AppAccess> AppInvitationService::Accept(const store::User& user,
                                               std::string_view invitation_id,
                                               std::string_view token, const Actor& actor) {
  TESSERA_ASSIGN_OR_RETURN(InvitationView v, Find(user, invitation_id, token));
  const store::AppInvitation& inv = v.invitation;
  auto existing = members_.GetAppMember(inv.app_id, user.id);
  if (existing.ok()) {
    (void)invitations_.DeleteAppInvitation(inv.app_id, inv.id);
    return AlreadyExistsError("you are already a member of this app");
  }
  if (!existing.status().IsNotFound()) return existing.status();
  TESSERA_ASSIGN_OR_RETURN(auto members, members_.ListAppMembers(inv.app_id));
  if (members.size() >= kMaxMembersPerApp) {
    return FailedPreconditionError("the app has 50 members already: ask an owner to make room");
  }
  const int64_t now = clock_.NowMillis();
  store::AppMember m{inv.app_id, user.id, inv.role, now};
  Status s = invitations_.AcceptAppInvitation(inv.id, m, now);
  if (s.ClashedOn(store::AppMemberUniqueKey::kMembership)) {
    return AlreadyExistsError("you are already a member of this app");
  }
  if (s.IsNotFound()) return NotFoundError("no such invitation: it may have expired or been answered");
  TESSERA_RETURN_IF_ERROR(s);
  Audit(audit_, InvitationEvent(actor, store::AuditAction::kAppInvitationAccepted, inv));
  store::AuditEvent added = ActorEvent(actor, store::AuditAction::kAppMemberAdded);
  added.app_id = inv.app_id;
  added.subject_type = store::AuditSubjectType::kDeveloper;
  added.subject_id = user.id;
  added.details_json = boost::json::serialize(boost::json::object{{"role", ToText(inv.role)}});
  Audit(audit_, std::move(added));
  TESSERA_ASSIGN_OR_RETURN(store::App app, app_store_.GetAppById(inv.app_id));
  return AppAccess{std::move(app), AccessOf(inv.role)};
}

Status AppInvitationService::Decline(const store::User& user, std::string_view invitation_id,
                                     std::string_view token, const Actor& actor) {
  TESSERA_ASSIGN_OR_RETURN(InvitationView v, Find(user, invitation_id, token));
  Status s = invitations_.DeleteAppInvitation(v.invitation.app_id, v.invitation.id);
  if (s.IsNotFound()) return NotFoundError("no such invitation: it may have expired or been answered");
  TESSERA_RETURN_IF_ERROR(s);
  Audit(audit_, InvitationEvent(actor, store::AuditAction::kAppInvitationDeclined, v.invitation));
  return OkStatus();
}

}  // namespace tessera::services
