// File: account_service.h
// The account rules of an app's end users: signup, password authentication (throttled),
// profile, password change and reset. Sessions and tokens are sessions/session_service.h.
#pragma once

#include <boost/json/object.hpp>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "accounts/login_throttle.h"
#include "accounts/password_hasher.h"
#include "accounts/password_policy.h"
#include "accounts/user_store.h"
#include "sessions/session_store.h"
#include "audit/audit_log.h"
#include "base/clock.h"
#include "base/metrics.h"
#include "base/result.h"
#include "accounts/user_records.h"
#include "tenancy/tenancy_records.h"

namespace tessera::services {

struct AccountOptions {
  PasswordPolicy password;
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

class ApiTokenService;  // tokens/api_token_service.h

// What ending a user's access did (logout-all, a password change or reset), for the answer.
struct AccessEnded {
  int64_t sessions = 0;    // sessions ended (refresh tokens, browser cookies, OAuth grants)
  int64_t api_tokens = 0;  // personal API tokens revoked
};

// The account after its owner first proved its unverified address (ClaimUnverifiedAccount).
struct ClaimedAccount {
  store::User user;
  bool password_cleared = false;
  AccessEnded ended;
  bool secured() const { return password_cleared || ended.sessions > 0 || ended.api_tokens > 0; }
};

struct ProfileUpdate {
  std::optional<std::optional<std::string>> username;  // outer: present; inner: null = remove
  std::optional<boost::json::object> profile_patch;
};


class AccountService {
 public:
  // `sessions` and `api_tokens` only to end a user's access (EndAccess).
  AccountService(store::UserStore& users, store::SessionStore& sessions,
                 ApiTokenService& api_tokens, PasswordHasher& hasher, const Clock& clock,
                 Metrics& metrics, AccountOptions options, LoginThrottle* throttle = nullptr,
                 AuditLog* audit = nullptr);

  // Runs after each signup of an unverified address (the composition root sends the
  // verification mail from it); failures there do not fail the signup.
  using SignupHook = std::function<void(const store::App&, const store::User&, const ClientInfo&)>;
  void SetSignupHook(SignupHook hook) { signup_hook_ = std::move(hook); }

  Result<store::User> Signup(const store::App& app, SignupInput input,
                             const ClientInfo& client = {});
  // An account with no password (passwordless sign-in); its address is verified.
  Result<store::User> CreatePasswordlessUser(const store::App& app, std::string_view email);
  // Sets a new password after a reset (the policy is checked), marks the address verified
  // (the link proved it) and ends all the user's access: every session and every personal
  // API token (always: a reset is what someone does who lost control of the account).
  Result<store::User> ResetPassword(const store::App& app, std::string_view user_id,
                                    std::string_view new_password);
  // Checks a password sign-in and records it: throttled per account and IP (kRateLimited),
  // the same kUnauthenticated for every other failure. `identifier` is an email address
  // (contains '@') or a username. Starts no session: Login and the hosted pages do.
  Result<store::User> Authenticate(const store::App& app, std::string_view identifier,
                                   std::string_view password, const ClientInfo& client);
  // Records a sign-in proven another way (magic link, mail code, the app itself issuing
  // tokens): a disabled account is refused. `issued_by`: the app asked, and the event names it.
  // `method` names the proof in the event: "email", or an upstream provider's slug.
  Result<store::User> RecordVerifiedSignIn(const store::App& app, store::User user,
                                           const ClientInfo& client,
                                           const Actor* issued_by = nullptr,
                                           std::string_view method = "email");
  // An account made by a first sign-in through an upstream provider (`method`: its slug):
  // no password; the address verified only when the provider vouches for it and the app
  // trusts that; the name and picture into the profile. kAlreadyExists on the address.
  Result<store::User> CreateFederatedUser(const store::App& app, std::string_view email,
                                          bool email_verified, std::string_view name,
                                          std::string_view picture, std::string_view method,
                                          const ClientInfo& client);
  // Runs when the owner of an unverified address first proves it (ClaimUnverifiedAccount,
  // ResetPassword): whatever was linked to the account before that proof may be someone
  // else's, like the password (the composition root unlinks upstream identities from it).
  using AddressProvenHook = std::function<void(const store::App&, const store::User&)>;
  void SetAddressProvenHook(AddressProvenHook hook) { address_proven_hook_ = std::move(hook); }

  // The owner of an unverified address has just proven it (a sign-in link or code reached
  // its mailbox). Whatever was set up before that proof may be someone else's — a sign-up
  // with another person's address, waiting for them to arrive (pre-registered account
  // hijack) — so the password set before it is cleared and every session ends; the address
  // becomes verified. Nothing is undone when the address was verified meanwhile.
  Result<ClaimedAccount> ClaimUnverifiedAccount(const store::App& app, std::string_view user_id,
                                                const ClientInfo& client);

  Result<store::User> GetUser(const store::App& app, std::string_view user_id);
  // The account of an email address (normalised as signup keys it); kNotFound otherwise.
  Result<store::User> FindByEmail(const store::App& app, std::string_view email);
  Result<store::User> UpdateProfile(const store::App& app, std::string_view user_id,
                                    const ProfileUpdate& update);
  // Checks the current password (ConfirmCurrentPassword), sets the new one, revokes every
  // session but `keep_session` and, unless `keep_api_tokens`, every personal API token.
  Result<AccessEnded> ChangePassword(const store::App& app, std::string_view user_id,
                                     std::string_view current_password,
                                     std::string_view new_password, std::string_view keep_session,
                                     const ClientInfo& client, bool keep_api_tokens = false);
  // Checks the password a signed-in user types to confirm a change (new password, new
  // address). Throttled like a sign-in and on the same per-account budget, so a stolen access
  // token does not buy unlimited guesses: kRateLimited (field current_password) when spent,
  // kInvalidArgument (field current_password) when wrong. An account without a password passes.
  Status ConfirmCurrentPassword(const store::App& app, const store::User& user,
                                std::string_view password, const ClientInfo& client);
  // Ends a user's access: every session but `keep_session` (may be empty) and, unless
  // `keep_api_tokens`, every personal API token — the one rule of logout-all, password change
  // and reset (issue 11, item 3). Records no event of its own but the tokens' revocations.
  Result<AccessEnded> EndAccess(const store::App& app, std::string_view user_id,
                                std::string_view keep_session, store::RevokeReason reason,
                                bool keep_api_tokens);

  const AccountOptions& options() const { return options_; }
  // The server's password policy with the app's own minimum length over it.
  PasswordPolicy PolicyFor(const store::App& app) const;

 private:
  Result<store::User> FindByIdentifier(const store::App& app, std::string_view identifier);
  // Stores a new user; under the app's first_user_admin setting the app's first account
  // also gets kFirstUserRole (added to `user.roles` when it did). Every way an account is
  // made goes through here.
  Status InsertUser(const store::App& app, store::User& user);

  store::UserStore& users_;
  store::SessionStore& sessions_;
  ApiTokenService& api_tokens_;
  PasswordHasher& hasher_;
  const Clock& clock_;
  Metrics& metrics_;
  AccountOptions options_;
  LoginThrottle* throttle_;  // may be null (no throttling)
  AuditLog* audit_;          // may be null (no audit log)
  AddressProvenHook address_proven_hook_;
  SignupHook signup_hook_;
};

}  // namespace tessera::services
