#include "tenancy/developer_console_service.h"

#include <algorithm>

#include <boost/json.hpp>

#include "accounts/identity_rules.h"

namespace tessera::services {
namespace {

bool HasRole(const store::User& user, std::string_view role) {
  return std::find(user.roles.begin(), user.roles.end(), role) != user.roles.end();
}

store::AuditEvent MemberEvent(const Actor& actor, store::AuditAction action, const store::App& app,
                              std::string_view user_id, store::MemberRole role) {
  store::AuditEvent e = ActorEvent(actor, action);
  e.app_id = app.id;
  e.subject_type = store::AuditSubjectType::kDeveloper;
  e.subject_id = std::string(user_id);
  e.details_json = boost::json::serialize(boost::json::object{{"role", ToText(role)}});
  return e;
}

}  // namespace

Status DeveloperConsoleService::EnsureConsoleApp() {
  return apps_.EnsureApp(kConsoleAppSlug, "Tessera console");
}

bool DeveloperConsoleService::IsOperator(const store::User& console_user) {
  return !console_user.disabled && HasRole(console_user, kOperatorRole);
}

Result<store::App> DeveloperConsoleService::ConsoleApp() { return apps_.Find(kConsoleAppSlug); }

Result<std::vector<AppAccess>> DeveloperConsoleService::ListApps(const store::User& developer) {
  TESSERA_ASSIGN_OR_RETURN(auto memberships, members_.ListMembershipsOfUser(developer.id));
  std::vector<AppAccess> out;
  out.reserve(memberships.size());
  for (const auto& m : memberships) {
    auto app = app_store_.GetAppById(m.app_id);
    if (app.status().IsNotFound()) continue;  // deleted meanwhile
    if (!app.ok()) return app.status();
    if (app->slug == kConsoleAppSlug) continue;  // the console is not one of anyone's apps
    out.push_back({std::move(*app), AccessOf(m.role)});
  }
  return out;
}

Result<AppAccess> DeveloperConsoleService::CreateApp(const store::User& developer,
                                                     std::string_view slug, std::string_view name,
                                                     const Actor& actor) {
  // Only apps the developer owns count: being made a member elsewhere uses none of it.
  TESSERA_ASSIGN_OR_RETURN(auto memberships, members_.ListMembershipsOfUser(developer.id));
  auto owned = std::count_if(memberships.begin(), memberships.end(), [](const store::AppMember& m) {
    return m.role == store::MemberRole::kOwner;
  });
  if (static_cast<size_t>(owned) >= kMaxAppsPerDeveloper) {
    return FailedPreconditionError("a developer may own at most 100 apps");
  }
  // The app and its owner in one transaction: never an app without an owner.
  if (!slug.empty() || name.empty()) {
    TESSERA_ASSIGN_OR_RETURN(store::App app, apps_.CreateOwned(slug, name, developer.id, actor));
    return AppAccess{std::move(app), AccessRole::kOwner};
  }
  // No slug: the name's, and the next free "-N" when it is taken (a few tries, then the
  // last refusal stands).
  const std::string base = SlugFromName(name);
  Status last = OkStatus();
  for (int n = 1; n <= 20; ++n) {
    std::string candidate = n == 1 ? base : base + "-" + std::to_string(n);
    auto app = apps_.CreateOwned(candidate, name, developer.id, actor);
    if (app.ok()) return AppAccess{std::move(*app), AccessRole::kOwner};
    if (!app.status().IsAlreadyExists()) return app.status();
    last = app.status();
  }
  return last;
}

Result<AppAccess> DeveloperConsoleService::Access(const store::User& user, std::string_view slug) {
  auto app = apps_.Find(slug);
  if (!app.ok()) return app.status();
  if (IsOperator(user)) return AppAccess{std::move(*app), AccessRole::kOperator};
  if (app->slug == kConsoleAppSlug) return NotFoundError("no such app");
  auto member = members_.GetAppMember(app->id, user.id);
  if (member.status().IsNotFound()) return NotFoundError("no such app");
  if (!member.ok()) return member.status();
  return AppAccess{std::move(*app), AccessOf(member->role)};
}

Result<std::vector<MemberView>> DeveloperConsoleService::ListMembers(const AppAccess& access) {
  TESSERA_ASSIGN_OR_RETURN(store::App console, ConsoleApp());
  TESSERA_ASSIGN_OR_RETURN(auto members, members_.ListAppMembers(access.app.id));
  std::vector<MemberView> out;
  out.reserve(members.size());
  for (auto& m : members) {
    auto user = users_.GetUser(console.id, m.user_id);
    std::string email = user.ok() ? user->email : "";
    out.push_back({std::move(m), std::move(email)});
  }
  return out;
}

Status DeveloperConsoleService::RemoveMember(const AppAccess& access, std::string_view user_id,
                                             const Actor& actor) {
  // Anyone may leave (remove their own membership); only owners and operators remove others.
  const bool leaving = actor.type == store::AuditActorType::kDeveloper && actor.id == user_id;
  if (!leaving && !access.may_manage_members()) {
    return PermissionDeniedError("only the app's owners can manage its members");
  }
  TESSERA_ASSIGN_OR_RETURN(store::AppMember member, members_.GetAppMember(access.app.id, user_id));
  // The last-owner rule is checked by the store in the removal's own transaction (a check
  // here would let two owners removing each other at once both pass it).
  Status removed = members_.RemoveAppMember(access.app.id, user_id);
  if (removed.code() == StatusCode::kFailedPrecondition) {
    return FailedPreconditionError(
        "an app keeps at least one owner: make someone else an owner first");
  }
  TESSERA_RETURN_IF_ERROR(removed);
  Audit(audit_, MemberEvent(actor, store::AuditAction::kAppMemberRemoved, access.app, user_id,
                            member.role));
  return OkStatus();
}

}  // namespace tessera::services
