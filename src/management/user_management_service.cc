#include "management/user_management_service.h"

#include <boost/json.hpp>

#include <algorithm>

#include "accounts/identity_rules.h"
#include "accounts/password_policy.h"
#include "accounts/profile.h"
#include "tenancy/developer_console_service.h"

namespace tessera::services {
namespace json = boost::json;
namespace {

constexpr size_t kMaxSearch = 200;
constexpr size_t kMaxRoles = 20;
constexpr size_t kMaxRoleLength = 64;

// Roles are short words a resource server can match on (they go into tokens and claims).
bool IsValidRole(std::string_view role) {
  if (role.empty() || role.size() > kMaxRoleLength) return false;
  return std::all_of(role.begin(), role.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_' || c == '.' || c == ':';
  });
}

// Operators are console users with the admin role, made only at the command line: no API
// key and no console may make one.
Status CheckRoles(const store::App& app, const std::vector<std::string>& roles) {
  if (app.slug == kConsoleAppSlug &&
      std::find(roles.begin(), roles.end(), kOperatorRole) != roles.end()) {
    return PermissionDeniedError("operators are made with `tessera admin create-user --admin`");
  }
  if (roles.size() > kMaxRoles) return ValidationError({{"roles", "at most 20 roles"}});
  for (const auto& r : roles) {
    if (!IsValidRole(r)) {
      return ValidationError({{"roles", "a role is 1-64 of letters, digits and - _ . :"}});
    }
  }
  return OkStatus();
}

ClientInfo InfoOf(const Actor& actor) { return {actor.ip, actor.user_agent}; }

// The field an UpdateUser clash is about; "" when it is no clash of a user's own keys.
std::string ClashedField(const Status& s) {
  if (s.ClashedOn(store::UserUniqueKey::kEmail)) return "email";
  if (s.ClashedOn(store::UserUniqueKey::kUsername)) return "username";
  return "";
}

}  // namespace

void UserManagementService::Record(const store::App& app, const Actor& actor,
                                   store::AuditAction action, std::string_view user_id,
                                   std::string details_json) {
  store::AuditEvent e = ActorEvent(actor, action);
  e.app_id = app.id;
  e.subject_type = store::AuditSubjectType::kUser;
  e.subject_id = std::string(user_id);
  e.details_json = std::move(details_json);
  Audit(audit_, std::move(e));
}

Result<store::UserPage> UserManagementService::List(const store::App& app,
                                                    std::string_view search,
                                                    const std::optional<std::string>& cursor,
                                                    int limit) {
  auto chars = Utf8Length(search);
  if (!chars || *chars > kMaxSearch) {
    return ValidationError({{"search", "at most 200 characters of valid UTF-8"}});
  }
  if (limit < 1 || limit > 200) return ValidationError({{"limit", "must be 1-200"}});
  store::UserQuery q;
  q.app_id = app.id;
  if (auto email = ValidEmail(search)) {
    q.search = NormalizeEmail(*email);  // a whole address finds its account however spelt
  } else {
    q.search.reserve(search.size());
    for (char c : search) q.search += (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  }
  q.cursor = cursor;
  q.limit = limit;
  return users_.ListUsers(q);
}

Result<int64_t> UserManagementService::Count(const store::App& app) {
  return users_.CountUsers(app.id);
}

Result<UserDetail> UserManagementService::Get(const store::App& app, std::string_view user_id) {
  TESSERA_ASSIGN_OR_RETURN(store::User user, users_.GetUser(app.id, user_id));
  TESSERA_ASSIGN_OR_RETURN(auto sessions,
                           sessions_.ListActiveSessions(app.id, user_id, clock_.NowMillis()));
  return UserDetail{std::move(user), std::move(sessions)};
}

Result<store::User> UserManagementService::Create(const store::App& app, SignupInput input,
                                                  const Actor& actor) {
  TESSERA_RETURN_IF_ERROR(CheckRoles(app, input.roles));
  input.by_operator = true;
  input.actor = actor;
  return accounts_.Signup(app, std::move(input), InfoOf(actor));
}

Result<TokenGrant> UserManagementService::IssueTokens(const store::App& app,
                                                      std::string_view user_id,
                                                      const Actor& actor) {
  TESSERA_ASSIGN_OR_RETURN(store::User user, users_.GetUser(app.id, user_id));
  if (user.disabled) return FailedPreconditionError("this account is disabled");
  return sessions_service_.SignInVerifiedUser(app, std::move(user), InfoOf(actor), &actor);
}

Result<store::User> UserManagementService::Update(const store::App& app, std::string_view user_id,
                                                  const UserPatch& patch, const Actor& actor) {
  std::vector<FieldError> errors;
  std::optional<std::string> email;
  if (patch.email) {
    auto valid = ValidEmail(*patch.email);
    if (!valid) errors.push_back({"email", "must be a valid email address"});
    else email = NormalizeEmail(*valid);
  }
  if (patch.username && *patch.username) {
    if (auto why = CheckUsername(**patch.username)) errors.push_back({"username", *why});
  }
  if (patch.roles) {
    Status s = CheckRoles(app, *patch.roles);
    if (s.code() == StatusCode::kPermissionDenied) return s;
    if (!s.ok()) errors.push_back({"roles", s.message()});
  }
  if (!errors.empty()) return ValidationError(std::move(errors));

  json::array changed;
  bool was_disabled = false;
  bool email_changed = false;
  auto result = users_.UpdateUser(app.id, user_id, [&](store::User& u) -> Status {
    changed.clear();  // the store may run this again (a retried transaction)
    was_disabled = u.disabled;
    email_changed = email && *email != u.email_normalized;
    if (email_changed) {
      u.email = u.email_normalized = *email;
      u.email_verified = patch.email_verified.value_or(false);  // a new address is unproven
      changed.emplace_back("email");
    }
    if (patch.username) {
      u.username = *patch.username;
      u.username_normalized =
          *patch.username ? std::optional(NormalizeUsername(**patch.username)) : std::nullopt;
      changed.emplace_back("username");
    }
    if (patch.email_verified && !email_changed) {
      u.email_verified = *patch.email_verified;
      changed.emplace_back("email_verified");
    }
    if (patch.disabled && u.disabled != *patch.disabled) {
      u.disabled = *patch.disabled;
      changed.emplace_back("disabled");
    }
    if (patch.roles) {
      u.roles = *patch.roles;
      changed.emplace_back("roles");
    }
    if (patch.profile_patch) {
      json::object profile;
      boost::system::error_code ec;
      json::value v = json::parse(u.profile_json, ec);
      if (!ec && v.is_object()) profile = v.as_object();
      std::vector<FieldError> profile_errors;
      ApplyProfilePatch(*patch.profile_patch, profile, profile_errors);
      if (!profile_errors.empty()) return ValidationError(std::move(profile_errors));
      u.profile_json = json::serialize(profile);
      changed.emplace_back("profile");
    }
    u.updated_at = clock_.NowMillis();
    return OkStatus();
  });
  if (std::string field = ClashedField(result.status()); !field.empty()) {
    return AlreadyExistsError("another account has this " + field)
        .WithFieldErrors({{field, "is already taken"}});
  }
  TESSERA_RETURN_IF_ERROR(result.status());
  bool only_disabled = changed.size() == 1 && changed[0] == "disabled";
  if (!changed.empty() && !only_disabled) {
    Record(app, actor, store::AuditAction::kUserUpdated, user_id,
           json::serialize(json::object{{"changed", changed}}));
  }
  if (patch.disabled && *patch.disabled != was_disabled) {
    Record(app, actor,
           *patch.disabled ? store::AuditAction::kUserDisabled : store::AuditAction::kUserEnabled,
           user_id);
  }
  if (email_changed) TESSERA_RETURN_IF_ERROR(EndWhatTheOldAddressProved(app, user_id));
  if (patch.disabled && *patch.disabled) {
    // A disabled account keeps no session: refresh tokens and browser cookies stop at once.
    TESSERA_RETURN_IF_ERROR(sessions_
                                .RevokeUserSessions(app.id, user_id, "",
                                                    store::RevokeReason::kUserDisabled,
                                                    clock_.NowMillis())
                                .status());
  }
  return result;
}

// An address set from outside (console, server API) says nothing of who holds the sessions
// and links: whoever took over the old mailbox must not keep a way in. The links mailed to
// the old address are void (they are bound to it anyway) and every session ends, refresh
// tokens with it; the user signs in again with the new address.
Status UserManagementService::EndWhatTheOldAddressProved(const store::App& app,
                                                         std::string_view user_id) {
  const UnixMillis now = clock_.NowMillis();
  TESSERA_RETURN_IF_ERROR(email_tokens_.VoidUserEmailTokens(app.id, user_id, now).status());
  return sessions_
      .RevokeUserSessions(app.id, user_id, "", store::RevokeReason::kEmailChanged, now)
      .status();
}

Result<store::User> UserManagementService::SetDisabled(const store::App& app,
                                                       std::string_view user_id, bool disabled,
                                                       const Actor& actor) {
  UserPatch patch;
  patch.disabled = disabled;
  return Update(app, user_id, patch, actor);
}

Result<AccessEnded> UserManagementService::SignOutEverywhere(const store::App& app,
                                                             std::string_view user_id,
                                                             const Actor& actor) {
  TESSERA_RETURN_IF_ERROR(users_.GetUser(app.id, user_id).status());
  TESSERA_ASSIGN_OR_RETURN(AccessEnded ended,
                           accounts_.EndAccess(app, user_id, "", store::RevokeReason::kAdminLogout,
                                               /*keep_api_tokens=*/false));
  Record(app, actor, store::AuditAction::kUserSessionsRevoked, user_id,
         json::serialize(json::object{{"sessions_revoked", ended.sessions},
                                      {"api_tokens_revoked", ended.api_tokens}}));
  return ended;
}

Status UserManagementService::SendPasswordReset(const store::App& app, std::string_view user_id,
                                                const Actor& actor) {
  TESSERA_ASSIGN_OR_RETURN(store::User user, users_.GetUser(app.id, user_id));
  if (user.disabled) return FailedPreconditionError("this account is disabled");
  TESSERA_RETURN_IF_ERROR(resets_.RequestReset(app, user.email, InfoOf(actor)));
  Record(app, actor, store::AuditAction::kUserPasswordResetSent, user_id);
  return OkStatus();
}

Status UserManagementService::Delete(const store::App& app, std::string_view user_id,
                                     const Actor& actor) {
  // Ended first, not only deleted with the user: ending a grant tells its client (back-channel
  // logout), which the deletion alone would not.
  TESSERA_RETURN_IF_ERROR(sessions_
                              .RevokeUserSessions(app.id, user_id, "",
                                                  store::RevokeReason::kUserDisabled,
                                                  clock_.NowMillis())
                              .status());
  TESSERA_RETURN_IF_ERROR(users_.DeleteUser(app.id, user_id));
  Record(app, actor, store::AuditAction::kUserDeleted, user_id);
  return OkStatus();
}

}  // namespace tessera::services
