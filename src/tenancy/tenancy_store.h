// File: tenancy_store.h
// Persistence of apps, members and app API keys (contracts: store/store.h).
#pragma once

#include <functional>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "tenancy/tenancy_records.h"

namespace tessera::store {

// The unique keys of apps, memberships and app API keys (Status::ClashedOn).
enum class AppUniqueKey { kId, kSlug };
enum class AppMemberUniqueKey { kMembership };  // one membership per (app, user)
enum class AppApiKeyUniqueKey { kId, kKeyHash };
// One invitation per (app, address) at a time; the token's hash is globally unique.
enum class AppInvitationUniqueKey { kId, kAddress, kTokenHash };

class AppStore {
 public:
  virtual ~AppStore() = default;
  virtual Status CreateApp(const App& app) = 0;
  // The app and its first owner in one transaction: neither is stored unless both are (an
  // app is never seen, nor its slug taken, without an owner). Clashes as CreateApp's.
  virtual Status CreateAppWithOwner(const App& app, const AppMember& owner) = 0;
  virtual Result<App> GetAppBySlug(std::string_view slug) = 0;
  virtual Result<App> GetAppById(std::string_view app_id) = 0;
  virtual Result<std::vector<App>> ListApps() = 0;
  // Replaces the app's settings; kNotFound for an unknown app.
  virtual Status UpdateAppSettings(std::string_view app_id, const AppSettings& settings) = 0;
  // Atomic like UpdateUser: `mutate` may change name, disabled and settings (not id,
  // slug or created_at). Returns the stored app.
  virtual Result<App> UpdateApp(std::string_view app_id,
                                const std::function<Status(App&)>& mutate) = 0;
};

// Who may manage an app from the developer console.
class AppMemberStore {
 public:
  virtual ~AppMemberStore() = default;
  // kAlreadyExists (AppMemberUniqueKey::kMembership) when the user is already a member.
  virtual Status AddAppMember(const AppMember& member) = 0;
  // kNotFound when the user is not a member of the app.
  virtual Result<AppMember> GetAppMember(std::string_view app_id, std::string_view user_id) = 0;
  // Oldest first.
  virtual Result<std::vector<AppMember>> ListAppMembers(std::string_view app_id) = 0;
  // Every membership of a console user, oldest first.
  virtual Result<std::vector<AppMember>> ListMembershipsOfUser(std::string_view user_id) = 0;
  // Changes the role; kNotFound when the user is not a member; kFailedPrecondition when it
  // would demote the app's last owner (checked like RemoveAppMember, in one transaction).
  virtual Status SetAppMemberRole(std::string_view app_id, std::string_view user_id,
                                  MemberRole role) = 0;
  // kNotFound when the user is not a member; kFailedPrecondition when they are the app's
  // last owner. One transaction that first locks the app's row, so two owners removed at
  // once (each other, or both leaving) cannot both pass the check.
  virtual Status RemoveAppMember(std::string_view app_id, std::string_view user_id) = 0;
};

// Invitations to an app's membership. An invitation is live while expires_at > now; closing
// one (accept, decline, revoke) deletes it.
class AppInvitationStore {
 public:
  virtual ~AppInvitationStore() = default;
  // In one transaction that locks the app's row: deletes the app's expired invitations,
  // then inserts `invitation` unless the app has `max_live` live ones already
  // (kResourceExhausted). kAlreadyExists on AppInvitationUniqueKey::kAddress when the address
  // has a live invitation to the app (or kId, kTokenHash); kNotFound for an unknown app.
  virtual Status CreateAppInvitation(const AppInvitation& invitation, size_t max_live,
                                     UnixMillis now) = 0;
  // Live or expired; kNotFound when there is none.
  virtual Result<AppInvitation> GetAppInvitation(std::string_view id) = 0;
  virtual Result<AppInvitation> GetAppInvitationByTokenHash(std::string_view token_hash) = 0;
  // Live invitations of an app, oldest first.
  virtual Result<std::vector<AppInvitation>> ListAppInvitations(std::string_view app_id,
                                                                UnixMillis now) = 0;
  // Live invitations of an address (normalized), oldest first.
  virtual Result<std::vector<AppInvitation>> ListAppInvitationsForEmail(std::string_view email,
                                                                        UnixMillis now) = 0;
  // Deletes the live invitation and adds `member` (of its app) in one transaction: of two
  // concurrent acceptances one wins, the other gets kNotFound (also when expired). A clash on
  // the membership (AppMemberUniqueKey::kMembership) rolls both back.
  virtual Status AcceptAppInvitation(std::string_view id, const AppMember& member,
                                     UnixMillis now) = 0;
  // Deletes the invitation (decline, revoke); kNotFound when it is not one of the app's.
  virtual Status DeleteAppInvitation(std::string_view app_id, std::string_view id) = 0;
};

// Secret keys of apps' backends.
class AppApiKeyStore {
 public:
  virtual ~AppApiKeyStore() = default;
  // kAlreadyExists on AppApiKeyUniqueKey::kId or kKeyHash.
  virtual Status CreateAppApiKey(const AppApiKey& key) = 0;
  // Any app, live or revoked: the hash is globally unique; the caller checks app and state.
  virtual Result<AppApiKey> GetAppApiKeyByHash(std::string_view key_hash) = 0;
  // Live keys of the app, newest first.
  virtual Result<std::vector<AppApiKey>> ListAppApiKeys(std::string_view app_id) = 0;
  // kNotFound when the key is not a live key of the app.
  virtual Status RevokeAppApiKey(std::string_view app_id, std::string_view key_id,
                                 UnixMillis now) = 0;
  virtual Status TouchAppApiKey(std::string_view key_id, UnixMillis now) = 0;
};

}  // namespace tessera::store
