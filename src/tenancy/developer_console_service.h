// File: developer_console_service.h
// The developer console's rules. The console is itself an app of Tessera (slug "console"):
// developers sign up and sign in there with the same hosted pages as any end user. A
// developer sees and manages only the apps they are a member of ("owner" or "member");
// operators (console users with the "admin" role, made with the CLI) see every app.
// Anything a caller may not see is kNotFound, exactly like an app that does not exist.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/enum_text.h"
#include "base/result.h"
#include "tenancy/app_service.h"
#include "audit/audit_log.h"
#include "accounts/user_records.h"
#include "tenancy/tenancy_records.h"
#include "accounts/user_store.h"
#include "tenancy/tenancy_store.h"

namespace tessera::services {

// The role that makes a console user an operator. Users' roles are the app's own open set
// of words (they go into tokens); this is the one the console itself gives a meaning.
inline constexpr std::string_view kOperatorRole = "admin";
inline constexpr size_t kMaxAppsPerDeveloper = 100;
inline constexpr size_t kMaxMembersPerApp = 50;

// How a console user reaches an app: as one of its members, or as an operator (every app).
enum class AccessRole { kOwner, kMember, kOperator };
inline constexpr EnumText<AccessRole> kAccessRoleTexts[] = {{AccessRole::kOwner, "owner"},
                                                            {AccessRole::kMember, "member"},
                                                            {AccessRole::kOperator, "operator"}};
constexpr std::span<const EnumText<AccessRole>> TextsOf(AccessRole) { return kAccessRoleTexts; }
constexpr AccessRole AccessOf(store::MemberRole role) {
  return role == store::MemberRole::kOwner ? AccessRole::kOwner : AccessRole::kMember;
}

// What a console user may do with an app.
struct AppAccess {
  store::App app;
  AccessRole role = AccessRole::kMember;
  bool may_manage_members() const { return role != AccessRole::kMember; }
};

struct MemberView {
  store::AppMember member;
  std::string email;
};

class DeveloperConsoleService {
 public:
  DeveloperConsoleService(store::AppStore& app_store, store::AppMemberStore& members,
                          store::UserStore& users, AppService& apps, const Clock& clock,
                          AuditLog* audit = nullptr)
      : app_store_(app_store), members_(members), users_(users), apps_(apps), clock_(clock), audit_(audit) {}

  // Creates the console app at first start (signup open, like any app).
  Status EnsureConsoleApp();
  static bool IsOperator(const store::User& console_user);

  // The apps the developer is a member of (never the console app), oldest first.
  Result<std::vector<AppAccess>> ListApps(const store::User& developer);
  // Creates an app with the developer as its owner (one transaction); at most
  // kMaxAppsPerDeveloper apps owned by the developer (memberships elsewhere do not count).
  // An empty `slug` is made from the name (SlugFromName), with "-2", "-3"… when taken.
  Result<AppAccess> CreateApp(const store::User& developer, std::string_view slug,
                              std::string_view name, const Actor& actor);
  // The app if the user is a member of it or an operator; kNotFound otherwise (also for the
  // console app itself unless an operator asks). Disabled apps are visible (marked).
  Result<AppAccess> Access(const store::User& user, std::string_view slug);

  Result<std::vector<MemberView>> ListMembers(const AppAccess& access);
  // Nobody is added directly: members join by accepting an owner's invitation
  // (management/app_invitation_service.h).
  // Owners and operators remove anyone; any member may remove themselves (leave: `actor` is
  // the developer `user_id`); the last owner cannot be removed (kFailedPrecondition).
  Status RemoveMember(const AppAccess& access, std::string_view user_id, const Actor& actor);

 private:
  Result<store::App> ConsoleApp();

  store::AppStore& app_store_;
  store::AppMemberStore& members_;
  store::UserStore& users_;
  AppService& apps_;
  const Clock& clock_;
  AuditLog* audit_;  // may be null
};

}  // namespace tessera::services
