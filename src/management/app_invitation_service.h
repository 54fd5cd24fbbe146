// File: app_invitation_service.h
// Invitations to manage an app in the developer console (issue 11, item 7): nobody becomes a
// member of an app without saying yes. An owner (or an operator) invites an email address
// with a role; a mail with a single-use link (a `tinv_` token, stored as SHA-256) goes to
// the address; the developer signed in to the console with that address accepts or
// declines. Owners list pending invitations and revoke them.
//
// Inviting never looks the address up: the answer (and the work done) is the same for an
// address of a console account, an operator's, or nobody's. Limits keep mail from being
// sprayed: kMaxPendingInvitationsPerApp live invitations per app, kMaxInvitationsPerHour per
// inviter.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "accounts/throttle_store.h"
#include "accounts/user_records.h"
#include "audit/audit_log.h"
#include "base/clock.h"
#include "base/result.h"
#include "email_flows/mailer.h"
#include "tenancy/app_service.h"
#include "tenancy/developer_console_service.h"
#include "tenancy/tenancy_store.h"

namespace tessera::services {

inline constexpr int64_t kInvitationTtlDays = 7;
inline constexpr size_t kMaxPendingInvitationsPerApp = 50;
inline constexpr int64_t kMaxInvitationsPerHour = 20;  // per inviter
inline constexpr std::string_view kInvitationTokenPrefix = "tinv_";

// An invitation as its invitee sees it: with the app's name.
struct InvitationView {
  store::AppInvitation invitation;
  std::string app_slug;
  std::string app_name;
};

class AppInvitationService {
 public:
  AppInvitationService(store::AppInvitationStore& invitations, store::AppMemberStore& members,
                       store::AppStore& app_store, store::ThrottleStore& throttle,
                       AppService& apps, Mailer& mailer, const Clock& clock,
                       AuditLog* audit = nullptr)
      : invitations_(invitations), members_(members), app_store_(app_store),
        throttle_(throttle), apps_(apps), mailer_(mailer), clock_(clock), audit_(audit) {}

  // Owners and operators only (kPermissionDenied). kInvalidArgument "email" (not an address)
  // or "role" (not owner/member); kAlreadyExists "email" when the address has a pending
  // invitation to the app; kFailedPrecondition at kMaxPendingInvitationsPerApp;
  // kRateLimited past kMaxInvitationsPerHour of the inviter. Mails the link.
  // The inviter is `actor` (a console user: a developer, or an operator).
  Result<store::AppInvitation> Invite(const AppAccess& access, std::string_view email,
                                      std::string_view role, const Actor& actor);
  // The app's pending invitations, oldest first; owners and operators only.
  Result<std::vector<store::AppInvitation>> ListForApp(const AppAccess& access);
  // Owners and operators; kNotFound when it is not a pending invitation of the app.
  Status Revoke(const AppAccess& access, std::string_view invitation_id, const Actor& actor);

  // The invitee's side; `user` is the signed-in console user. An invitation is theirs when
  // it was sent to their address and either they hold its token (the mailed link proves the
  // mailbox) or their address is verified. Anything else is kNotFound, as for none.
  // Pending invitations to the user's verified address (none while it is unverified).
  Result<std::vector<InvitationView>> ListMine(const store::User& user);
  // One invitation: by `token` when it is not empty, else by `invitation_id`.
  Result<InvitationView> Find(const store::User& user, std::string_view invitation_id,
                              std::string_view token);
  // Makes the user a member with the invited role (one transaction with closing the
  // invitation). kAlreadyExists when they are a member already (the invitation is closed);
  // kFailedPrecondition when the app has kMaxMembersPerApp members.
  Result<AppAccess> Accept(const store::User& user, std::string_view invitation_id,
                           std::string_view token, const Actor& actor);
  Status Decline(const store::User& user, std::string_view invitation_id, std::string_view token,
                 const Actor& actor);

 private:
  Status CountInvitation(std::string_view inviter_id);
  Status SendMail(const store::App& app, const store::AppInvitation& invitation,
                  std::string_view token);

  store::AppInvitationStore& invitations_;
  store::AppMemberStore& members_;
  store::AppStore& app_store_;
  store::ThrottleStore& throttle_;
  AppService& apps_;
  Mailer& mailer_;
  const Clock& clock_;
  AuditLog* audit_;  // may be null
};

}  // namespace tessera::services
