// File: user_management_service.h
// Managing an app's end users from outside (the console, the operator console, and the
// app's backend with an API key): list and search, view with sessions, create (optionally
// with tokens), update, disable/enable, sign out everywhere, send a reset link, delete.
// Every user is looked up within the given app: another app's user is kNotFound.
#pragma once

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "accounts/account_service.h"
#include "audit/audit_log.h"
#include "email_flows/password_reset_service.h"
#include "accounts/user_records.h"
#include "sessions/session_records.h"
#include "tenancy/tenancy_records.h"
#include "accounts/user_store.h"
#include "email_flows/email_token_store.h"
#include "sessions/session_service.h"
#include "sessions/session_store.h"

namespace tessera::services {

struct UserPatch {
  std::optional<std::string> email;
  std::optional<std::optional<std::string>> username;  // inner nullopt = remove
  std::optional<bool> email_verified;
  std::optional<bool> disabled;
  std::optional<std::vector<std::string>> roles;
  std::optional<boost::json::object> profile_patch;  // as PATCH /me: null members remove
};

struct UserDetail {
  store::User user;
  std::vector<store::Session> sessions;  // live ones
};

class UserManagementService {
 public:
  UserManagementService(store::UserStore& users, store::SessionStore& sessions,
                        store::EmailTokenStore& email_tokens, AccountService& accounts,
                        SessionService& sessions_service, PasswordResetService& resets,
                        const Clock& clock, AuditLog* audit = nullptr)
      : users_(users), sessions_(sessions), email_tokens_(email_tokens), accounts_(accounts),
        sessions_service_(sessions_service), resets_(resets), clock_(clock), audit_(audit) {}

  Result<store::UserPage> List(const store::App& app, std::string_view search,
                               const std::optional<std::string>& cursor, int limit);
  Result<int64_t> Count(const store::App& app);
  Result<UserDetail> Get(const store::App& app, std::string_view user_id);
  // Signup by the app itself (allowed when public signup is closed). The password is
  // optional (a passwordless account); the policy applies when one is given.
  Result<store::User> Create(const store::App& app, SignupInput input, const Actor& actor);
  // Starts an account-API session for the user (the backend signed them up or in itself).
  Result<TokenGrant> IssueTokens(const store::App& app, std::string_view user_id,
                                 const Actor& actor);
  // Disabling signs the user out everywhere. So does a new email address: it also voids
  // every link and code mailed to the old one (reset, verification, sign-in).
  Result<store::User> Update(const store::App& app, std::string_view user_id,
                             const UserPatch& patch, const Actor& actor);
  Result<store::User> SetDisabled(const store::App& app, std::string_view user_id,
                                  bool disabled, const Actor& actor);
  // Revokes every session (and so every refresh token) and every personal API token, as the
  // user's own logout-all does by default; says how many of each.
  Result<AccessEnded> SignOutEverywhere(const store::App& app, std::string_view user_id,
                                        const Actor& actor);
  // Mails the user a password-reset link (rate limited like a self-service request).
  Status SendPasswordReset(const store::App& app, std::string_view user_id, const Actor& actor);
  Status Delete(const store::App& app, std::string_view user_id, const Actor& actor);

 private:
  Status EndWhatTheOldAddressProved(const store::App& app, std::string_view user_id);
  void Record(const store::App& app, const Actor& actor, store::AuditAction action,
              std::string_view user_id, std::string details_json = "{}");

  store::UserStore& users_;
  store::SessionStore& sessions_;
  store::EmailTokenStore& email_tokens_;
  AccountService& accounts_;
  SessionService& sessions_service_;
  PasswordResetService& resets_;
  const Clock& clock_;
  AuditLog* audit_;  // may be null
};

}  // namespace tessera::services
