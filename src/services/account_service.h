// File: account_service.h
// The account rules of an app's end users: signup, password login, refresh-token rotation
// with reuse detection, logout, profile and password changes, sessions.
//
// Sessions: each login starts a session (a refresh-token family). Every refresh rotates the
// token; presenting a rotated token again is treated as theft (RFC 9700 §4.14.2) and revokes
// the whole session. Logout revokes one session, logout-all every one of the user's.
#pragma once

#include <boost/json/object.hpp>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/metrics.h"
#include "base/result.h"
#include "services/access_token_service.h"
#include "services/app_service.h"
#include "services/audit_log.h"
#include "services/login_throttle.h"
#include "services/password_hasher.h"
#include "services/password_policy.h"
#include "store/store.h"

namespace tessera::services {

struct AccountOptions {
  PasswordPolicy password;
  int64_t refresh_token_ttl_s = 30LL * 24 * 3600;  // sliding: each rotation extends it
  int64_t session_ttl_s = 90LL * 24 * 3600;        // absolute: re-login after this
  std::string client_id = "account-api";           // client_id claim of account-API tokens
  std::string scope = "account";
};

struct ClientInfo {
  std::string ip;
  std::string user_agent;
};

struct SignupInput {
  std::string email;
  std::string password;
  std::optional<std::string> username;
  boost::json::object profile;
  bool email_verified = false;
  std::vector<std::string> roles;
  // The app itself (the CLI, a console, its backend's API key): allowed even when the app
  // closed signup, and the password may be empty (a passwordless account).
  bool by_operator = false;
  Actor actor = CliActor();  // who, when by_operator
};

struct TokenGrant {
  std::string access_token;
  int64_t expires_in = 0;
  std::string refresh_token;
  store::User user;
};

struct ProfileUpdate {
  std::optional<std::optional<std::string>> username;  // outer: present; inner: null = remove
  std::optional<boost::json::object> profile_patch;
};

class AccountService {
 public:
  AccountService(store::Store& store, AppService& apps, PasswordHasher& hasher,
                 AccessTokenService& access_tokens, const Clock& clock, Metrics& metrics,
                 AccountOptions options, LoginThrottle* throttle = nullptr,
                 AuditLog* audit = nullptr);

  // Runs after each signup of an unverified address (the composition root sends the
  // verification mail from it); failures there do not fail the signup.
  using SignupHook = std::function<void(const store::App&, const store::User&, const ClientInfo&)>;
  void SetSignupHook(SignupHook hook) { signup_hook_ = std::move(hook); }

  Result<store::User> Signup(const store::App& app, SignupInput input,
                             const ClientInfo& client = {});
  // An account with no password (passwordless sign-in); its address is verified.
  Result<store::User> CreatePasswordlessUser(const store::App& app, std::string_view email);
  // Starts a session for a user proven another way (magic link, mail code): records the
  // sign-in; a disabled account is refused. `issued_by`: the app itself asked (its backend
  // or a console), and the audit event names it.
  Result<TokenGrant> SignInVerifiedUser(const store::App& app, store::User user,
                                        const ClientInfo& client,
                                        const Actor* issued_by = nullptr);
  // Sets a new password after a reset (the policy is checked), marks the address verified
  // (the link proved it) and revokes every session of the user.
  Result<store::User> ResetPassword(const store::App& app, std::string_view user_id,
                                    std::string_view new_password);
  // Checks a password sign-in and records it: throttled per account and IP (kRateLimited),
  // the same kUnauthenticated for every other failure. `identifier` is an email address
  // (contains '@') or a username. Starts no session: Login and the hosted pages do.
  Result<store::User> Authenticate(const store::App& app, std::string_view identifier,
                                   std::string_view password, const ClientInfo& client);
  // Authenticate, then start an account-API session (refresh-token family).
  Result<TokenGrant> Login(const store::App& app, std::string_view identifier,
                           std::string_view password, const ClientInfo& client);
  Result<TokenGrant> Refresh(const store::App& app, std::string_view refresh_token,
                             const ClientInfo& client);
  // Revokes the session of a refresh token; unknown tokens are ignored (RFC 7009 §2.2).
  Status LogoutByRefreshToken(const store::App& app, std::string_view refresh_token);
  Status RevokeSession(const store::App& app, std::string_view user_id,
                       std::string_view session_id, std::string_view reason);
  Result<int64_t> RevokeAllSessions(const store::App& app, std::string_view user_id);
  Result<std::vector<store::Session>> ListSessions(const store::App& app, std::string_view user_id);

  Result<store::User> GetUser(const store::App& app, std::string_view user_id);
  Result<store::User> UpdateProfile(const store::App& app, std::string_view user_id,
                                    const ProfileUpdate& update);
  // Checks the current password, sets the new one, revokes every session but `keep_session`.
  Status ChangePassword(const store::App& app, std::string_view user_id,
                        std::string_view current_password, std::string_view new_password,
                        std::string_view keep_session);

  const AccountOptions& options() const { return options_; }
  // The server's password policy with the app's own minimum length over it.
  PasswordPolicy PolicyFor(const store::App& app) const;

 private:
  Result<TokenGrant> StartSession(const store::App& app, store::User user,
                                  const ClientInfo& client);
  Result<std::string> IssueAccessToken(const store::App& app, const store::User& user,
                                       const store::Session& session, int64_t* expires_in);
  Result<store::User> FindByIdentifier(const store::App& app, std::string_view identifier);
  int64_t RefreshTtlS(const store::App& app) const;  // the app's setting or the server's

  store::Store& store_;
  AppService& apps_;
  PasswordHasher& hasher_;
  AccessTokenService& access_tokens_;
  const Clock& clock_;
  Metrics& metrics_;
  AccountOptions options_;
  LoginThrottle* throttle_;  // may be null (no throttling)
  AuditLog* audit_;          // may be null (no audit log)
  SignupHook signup_hook_;
};

// Refresh tokens look like "tsr_" + 43 base64url characters; checked before any lookup.
inline constexpr std::string_view kRefreshTokenPrefix = "tsr_";

}  // namespace tessera::services
