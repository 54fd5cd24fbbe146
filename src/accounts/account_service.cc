#include "accounts/account_service.h"

#include <boost/json.hpp>

#include "base/log.h"
#include "crypto/digest.h"
#include "crypto/random.h"
#include "accounts/identity_rules.h"
#include "accounts/profile.h"
#include "accounts/sign_in_rules.h"
#include "tokens/api_token_service.h"

namespace tessera::services {
namespace json = boost::json;
namespace {

// Whose sign-in budget an attempt spends: the account's when the identifier names one (its
// email and username, however spaced or cased, share one budget), else the identifier's as
// the lookup normalises it. Either way a refusal reads the same (issue 11, item 1).
std::string AccountSubject(std::string_view user_id) { return "user:" + std::string(user_id); }

std::string ThrottleSubject(std::string_view identifier, const Result<store::User>& user) {
  if (user.ok()) return AccountSubject(user->id);
  // The same normalisation as FindByIdentifier: the spellings one lookup would treat alike
  // share one budget. What can match no account at all is only ever its own spelling.
  if (identifier.find('@') != std::string_view::npos) {
    if (auto email = ValidEmail(identifier)) return "identifier:" + NormalizeEmail(*email);
  } else if (!CheckUsername(identifier)) {
    return "identifier:" + NormalizeUsername(identifier);
  }
  return "identifier:" + std::string(identifier);
}


constexpr size_t kMaxIdentifierLength = 254;

Status InvalidCredentials() { return UnauthenticatedError("invalid credentials"); }

json::object ParseProfile(const std::string& text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  return !ec && v.is_object() ? v.as_object() : json::object();
}

// An event about a user, done by that user (or by nobody known, when user_id is empty).
store::AuditEvent UserEvent(const store::App& app, store::AuditAction action,
                            std::string_view user_id, const ClientInfo& client,
                            json::object details = {}, bool ok = true) {
  store::AuditEvent e;
  e.app_id = app.id;
  e.action = action;
  e.actor_type = user_id.empty() ? store::AuditActorType::kAnonymous : store::AuditActorType::kUser;
  e.actor_id = user_id;
  e.subject_type = store::AuditSubjectType::kUser;
  e.subject_id = user_id;
  e.ip = client.ip;
  e.user_agent = client.user_agent;
  e.outcome = ok ? store::AuditOutcome::kSuccess : store::AuditOutcome::kFailure;
  e.details_json = json::serialize(details);
  return e;
}

}  // namespace

AccountService::AccountService(store::UserStore& users, store::SessionStore& sessions,
                               ApiTokenService& api_tokens, PasswordHasher& hasher,
                               const Clock& clock, Metrics& metrics, AccountOptions options,
                               LoginThrottle* throttle, AuditLog* audit)
    : users_(users), sessions_(sessions), api_tokens_(api_tokens), hasher_(hasher),
      clock_(clock), metrics_(metrics), options_(std::move(options)), throttle_(throttle),
      audit_(audit) {}

Result<AccessEnded> AccountService::EndAccess(const store::App& app, std::string_view user_id,
                                              std::string_view keep_session,
                                              store::RevokeReason reason, bool keep_api_tokens) {
  AccessEnded ended;
  TESSERA_ASSIGN_OR_RETURN(ended.sessions,
                           sessions_.RevokeUserSessions(app.id, user_id, keep_session, reason,
                                                        clock_.NowMillis()));
  if (!keep_api_tokens) {
    TESSERA_ASSIGN_OR_RETURN(ended.api_tokens, api_tokens_.RevokeAll(app, user_id, ToText(reason)));
  }
  return ended;
}

PasswordPolicy AccountService::PolicyFor(const store::App& app) const {
  PasswordPolicy policy = options_.password;
  int app_min = app.settings.password_min_length;
  if (app_min > 0) policy.min_length = static_cast<size_t>(app_min);
  return policy;
}

Result<store::User> AccountService::Signup(const store::App& app, SignupInput in,
                                           const ClientInfo& client) {
  if (!in.by_operator && !app.settings.allow_signup) {
    return PermissionDeniedError("signup is closed for this app");
  }
  std::vector<FieldError> errors;
  auto email = ValidEmail(in.email);
  if (!email) errors.push_back({"email", "must be a valid email address"});
  if (in.username) {
    if (auto why = CheckUsername(*in.username)) errors.push_back({"username", *why});
  }
  bool passwordless = in.by_operator && in.password.empty();
  if (!passwordless) {
    if (auto why = CheckPassword(in.password, PolicyFor(app), email.value_or(""),
                                 in.username.value_or(""))) {
      errors.push_back({"password", *why});
    }
  }
  json::object profile;
  ApplyProfilePatch(in.profile, profile, errors);
  if (!errors.empty()) return ValidationError(std::move(errors));

  // Cheap duplicate check first, so a taken email does not cost a hash; the unique index
  // still decides races.
  auto existing = users_.GetUserByEmail(app.id, NormalizeEmail(*email));
  if (existing.ok()) {
    return AlreadyExistsError("an account with this email exists")
        .WithFieldErrors({{"email", "is already registered"}});
  }
  std::optional<std::string> hash;
  if (!passwordless) {
    TESSERA_ASSIGN_OR_RETURN(hash, hasher_.Hash(in.password));
  }
  int64_t now = clock_.NowMillis();
  store::User user;
  user.id = crypto::NewUuid();
  user.app_id = app.id;
  // The address is kept in its normalized form: what the user sees is what logs them in.
  user.email = NormalizeEmail(*email);
  user.email_normalized = user.email;
  if (in.username) {
    user.username = *in.username;
    user.username_normalized = NormalizeUsername(*in.username);
  }
  user.password_hash = std::move(hash);
  user.email_verified = in.email_verified;
  user.roles = std::move(in.roles);
  user.profile_json = json::serialize(profile);
  user.created_at = user.updated_at = now;
  Status s = InsertUser(app, user);
  if (s.ClashedOn(store::UserUniqueKey::kUsername)) {
    return AlreadyExistsError("an account with this username exists")
        .WithFieldErrors({{"username", "is already taken"}});
  }
  if (s.ClashedOn(store::UserUniqueKey::kEmail)) {
    return AlreadyExistsError("an account with this email exists")
        .WithFieldErrors({{"email", "is already registered"}});
  }
  TESSERA_RETURN_IF_ERROR(s);
  metrics_.signups.Inc();
  LogJson(spdlog::level::info, "signup", {{"app", app.slug}, {"user_id", user.id}});
  if (audit_) {
    // Someone signing up themselves, or the app (a console, its backend, the CLI) creating
    // an account: told apart by action, so a filter on either finds only its own.
    store::AuditEvent e = UserEvent(
        app, in.by_operator ? store::AuditAction::kUserCreated : store::AuditAction::kUserSignup,
        user.id, client, {{"method", passwordless ? "none" : "password"}});
    if (in.by_operator) {
      e.actor_type = in.actor.type;
      e.actor_id = in.actor.id;
      if (!in.actor.ip.empty()) e.ip = in.actor.ip;
      if (!in.actor.user_agent.empty()) e.user_agent = in.actor.user_agent;
    }
    audit_->Record(std::move(e));
  }
  if (signup_hook_ && !user.email_verified) signup_hook_(app, user, client);
  return user;
}

Status AccountService::InsertUser(const store::App& app, store::User& user) {
  if (!app.settings.first_user_admin) return users_.CreateUser(user);
  TESSERA_ASSIGN_OR_RETURN(bool first,
                           users_.CreateUserGrantingFirst(user, store::kFirstUserRole));
  if (first) user.roles.emplace_back(store::kFirstUserRole);
  return OkStatus();
}

Result<store::User> AccountService::CreatePasswordlessUser(const store::App& app,
                                                           std::string_view email) {
  auto valid = ValidEmail(email);
  if (!valid) return ValidationError({{"email", "must be a valid email address"}});
  int64_t now = clock_.NowMillis();
  store::User user;
  user.id = crypto::NewUuid();
  user.app_id = app.id;
  user.email = user.email_normalized = NormalizeEmail(*valid);
  user.email_verified = true;
  user.created_at = user.updated_at = now;
  TESSERA_RETURN_IF_ERROR(InsertUser(app, user));
  metrics_.signups.Inc();
  LogJson(spdlog::level::info, "signup", {{"app", app.slug}, {"user_id", user.id},
                                          {"method", "passwordless"}});
  Audit(audit_,
        UserEvent(app, store::AuditAction::kUserSignup, user.id, {}, {{"method", "passwordless"}}));
  return user;
}

Result<store::User> AccountService::CreateFederatedUser(const store::App& app,
                                                       std::string_view email,
                                                       bool email_verified, std::string_view name,
                                                       std::string_view picture,
                                                       std::string_view method,
                                                       const ClientInfo& client) {
  auto valid = ValidEmail(email);
  if (!valid) return ValidationError({{"email", "must be a valid email address"}});
  // The upstream's name and picture, when they pass the profile's own rules.
  boost::json::object profile;
  boost::json::object patch;
  if (!name.empty()) patch["name"] = name;
  if (!picture.empty()) patch["picture"] = picture;
  for (const auto& [key, value] : patch) {
    std::vector<FieldError> errors;
    ApplyProfilePatch(boost::json::object{{key, value}}, profile, errors);
  }
  const int64_t now = clock_.NowMillis();
  store::User user;
  user.id = crypto::NewUuid();
  user.app_id = app.id;
  user.email = *valid;
  user.email_normalized = NormalizeEmail(*valid);
  user.email_verified = email_verified;
  user.profile_json = boost::json::serialize(profile);
  user.created_at = user.updated_at = now;
  TESSERA_RETURN_IF_ERROR(InsertUser(app, user));
  metrics_.signups.Inc();
  LogJson(spdlog::level::info, "signup",
          {{"app", app.slug}, {"user_id", user.id}, {"method", std::string(method)}});
  Audit(audit_, UserEvent(app, store::AuditAction::kUserSignup, user.id, client,
                          {{"method", method}, {"email_verified", email_verified}}));
  return user;
}

Result<store::User> AccountService::RecordVerifiedSignIn(const store::App& app, store::User user,
                                                        const ClientInfo& client,
                                                        const Actor* issued_by,
                                                        std::string_view method) {
  if (user.disabled) return UnauthenticatedError("this account is disabled");
  int64_t now = clock_.NowMillis();
  TESSERA_RETURN_IF_ERROR(users_.RecordLogin(app.id, user.id, now, std::nullopt));
  user.last_login_at = now;
  metrics_.logins_ok.Inc();
  store::AuditEvent e =
      UserEvent(app, store::AuditAction::kUserLogin, user.id, client, {{"method", method}});
  if (issued_by) {  // the app's backend or a console asked for the tokens, not the user
    e.actor_type = issued_by->type;
    e.actor_id = issued_by->id;
    e.details_json = R"({"method":"issued_by_app"})";
  }
  Audit(audit_, std::move(e));
  return user;
}

Result<store::User> AccountService::ResetPassword(const store::App& app, std::string_view user_id,
                                                  std::string_view new_password) {
  TESSERA_ASSIGN_OR_RETURN(store::User user, users_.GetUser(app.id, user_id));
  if (auto why = CheckPassword(new_password, PolicyFor(app), user.email,
                               user.username.value_or(""))) {
    return ValidationError({{"new_password", *why}});
  }
  TESSERA_ASSIGN_OR_RETURN(std::string hash, hasher_.Hash(new_password));
  int64_t now = clock_.NowMillis();
  bool first_proof = false;
  TESSERA_ASSIGN_OR_RETURN(store::User updated,
                           users_.UpdateUser(app.id, user_id, [&](store::User& u) {
                             first_proof = !u.email_verified;
                             u.password_hash = hash;
                             u.email_verified = true;
                             u.updated_at = now;
                             return OkStatus();
                           }));
  TESSERA_ASSIGN_OR_RETURN(
      AccessEnded ended,
      EndAccess(app, user_id, "", store::RevokeReason::kPasswordReset, /*keep_api_tokens=*/false));
  if (first_proof && address_proven_hook_) address_proven_hook_(app, updated);
  LogJson(spdlog::level::info, "password_reset",
          {{"app", app.slug},
           {"user_id", user_id},
           {"sessions_revoked", ended.sessions},
           {"api_tokens_revoked", ended.api_tokens}});
  return updated;
}

Result<store::User> AccountService::FindByEmail(const store::App& app, std::string_view email) {
  auto valid = ValidEmail(email);
  if (!valid) return NotFoundError("user");
  return users_.GetUserByEmail(app.id, NormalizeEmail(*valid));
}

Result<store::User> AccountService::FindByIdentifier(const store::App& app,
                                                     std::string_view identifier) {
  if (identifier.find('@') != std::string_view::npos) {
    auto email = ValidEmail(identifier);
    if (!email) return NotFoundError("user");
    return users_.GetUserByEmail(app.id, NormalizeEmail(*email));
  }
  if (CheckUsername(identifier)) return NotFoundError("user");
  return users_.GetUserByUsername(app.id, NormalizeUsername(identifier));
}

// Every failure — unknown account, wrong password, disabled account, no password set —
// costs one password verification and answers the same, so neither the answer nor its time
// tells whether an account exists.
Result<store::User> AccountService::Authenticate(const store::App& app,
                                                 std::string_view identifier,
                                                 std::string_view password,
                                                 const ClientInfo& client) {
  if (identifier.empty() || identifier.size() > kMaxIdentifierLength ||
      password.size() > 4 * options_.password.max_length) {
    metrics_.logins_failed.Inc();
    Audit(audit_, UserEvent(app, store::AuditAction::kUserLoginFailed, "", client,
                            {{"reason", "malformed"}}, false));
    return InvalidCredentials();
  }
  auto user = FindByIdentifier(app, identifier);
  if (!user.ok() && !user.status().IsNotFound()) return user.status();
  const std::string subject = ThrottleSubject(identifier, user);
  if (throttle_) {
    Status allowed = throttle_->Check(app, subject, client.ip);
    if (!allowed.ok()) {
      if (allowed.code() == StatusCode::kRateLimited) {
        Audit(audit_, UserEvent(app, store::AuditAction::kUserLoginFailed, "", client,
                                {{"reason", "rate_limited"}}, false));
      }
      return allowed;
    }
  }
  if (!user.ok() || !user->password_hash) {
    Status spent = hasher_.VerifyNothing(password);
    if (spent.code() == StatusCode::kResourceExhausted) return spent;  // shed like a real check
    metrics_.logins_failed.Inc();
    if (throttle_) throttle_->RecordFailure(app, subject, client.ip);
    // The identifier is not recorded: a mistyped one is often the password.
    Audit(audit_, UserEvent(app, store::AuditAction::kUserLoginFailed, "", client,
                            {{"reason", user.ok() ? "no_password" : "unknown_account"}}, false));
    return InvalidCredentials();
  }
  TESSERA_ASSIGN_OR_RETURN(crypto::PasswordMatch match,
                           hasher_.Verify(password, *user->password_hash));
  if (match == crypto::PasswordMatch::kNo || user->disabled) {
    metrics_.logins_failed.Inc();
    if (throttle_) throttle_->RecordFailure(app, subject, client.ip);
    LogJson(spdlog::level::info, "login_failed", {{"app", app.slug}, {"user_id", user->id}});
    store::AuditEvent e =
        UserEvent(app, store::AuditAction::kUserLoginFailed, "", client,
                  {{"reason", user->disabled ? "disabled" : "wrong_password"}}, false);
    e.subject_id = user->id;
    Audit(audit_, std::move(e));
    return InvalidCredentials();
  }
  // Only now, after the right password: whether an account exists stays private.
  if (Status allowed = SessionAllowed(app, *user); !allowed.ok()) {  // unverified address
    if (throttle_) throttle_->RecordSuccess(app, subject);
    Audit(audit_, UserEvent(app, store::AuditAction::kUserLoginFailed, user->id, client,
                            {{"reason", "email_not_verified"}}, false));
    return allowed;
  }
  std::optional<std::string> rehash;
  if (match == crypto::PasswordMatch::kYesNeedsRehash) {
    auto fresh = hasher_.Hash(password);
    if (fresh.ok()) rehash = *fresh;  // best effort: the login itself succeeded
  }
  int64_t now = clock_.NowMillis();
  TESSERA_RETURN_IF_ERROR(users_.RecordLogin(app.id, user->id, now, rehash));
  user->last_login_at = now;
  if (rehash) user->password_hash = rehash;
  if (throttle_) throttle_->RecordSuccess(app, subject);
  metrics_.logins_ok.Inc();
  Audit(audit_,
        UserEvent(app, store::AuditAction::kUserLogin, user->id, client, {{"method", "password"}}));
  return std::move(*user);
}

Result<ClaimedAccount> AccountService::ClaimUnverifiedAccount(const store::App& app,
                                                              std::string_view user_id,
                                                              const ClientInfo& client) {
  const int64_t now = clock_.NowMillis();
  ClaimedAccount claimed;
  bool first_proof = false;
  TESSERA_ASSIGN_OR_RETURN(claimed.user,
                           users_.UpdateUser(app.id, user_id, [&](store::User& u) {
                             first_proof = !u.email_verified;
                             if (!first_proof) return OkStatus();  // proven meanwhile
                             claimed.password_cleared = u.password_hash.has_value();
                             u.password_hash.reset();
                             u.email_verified = true;
                             u.updated_at = now;
                             return OkStatus();
                           }));
  if (!first_proof) return claimed;
  if (address_proven_hook_) address_proven_hook_(app, claimed.user);
  // Personal API tokens made before the proof go too: they may be the planter's.
  TESSERA_ASSIGN_OR_RETURN(claimed.ended,
                           EndAccess(app, user_id, "", store::RevokeReason::kAddressProven,
                                     /*keep_api_tokens=*/false));
  if (claimed.secured()) {
    LogJson(spdlog::level::info, "account_secured",
            {{"app", app.slug}, {"user_id", user_id}, {"sessions_revoked", claimed.ended.sessions},
             {"api_tokens_revoked", claimed.ended.api_tokens}});
    Audit(audit_, UserEvent(app, store::AuditAction::kUserAccountSecured, user_id, client,
                            {{"password_cleared", claimed.password_cleared},
                             {"sessions_revoked", claimed.ended.sessions},
                             {"api_tokens_revoked", claimed.ended.api_tokens}}));
  }
  return claimed;
}

Result<store::User> AccountService::GetUser(const store::App& app, std::string_view user_id) {
  return users_.GetUser(app.id, user_id);
}

Result<store::User> AccountService::UpdateProfile(const store::App& app, std::string_view user_id,
                                                  const ProfileUpdate& update) {
  std::vector<FieldError> errors;
  if (update.username && *update.username) {
    if (auto why = CheckUsername(**update.username)) errors.push_back({"username", *why});
  }
  if (!errors.empty()) return ValidationError(std::move(errors));
  auto result = users_.UpdateUser(app.id, user_id, [&](store::User& user) -> Status {
    if (update.username) {
      user.username = *update.username;
      user.username_normalized =
          *update.username ? std::optional(NormalizeUsername(**update.username)) : std::nullopt;
    }
    if (update.profile_patch) {
      json::object profile = ParseProfile(user.profile_json);
      std::vector<FieldError> profile_errors;
      ApplyProfilePatch(*update.profile_patch, profile, profile_errors);
      if (!profile_errors.empty()) return ValidationError(std::move(profile_errors));
      user.profile_json = json::serialize(profile);
    }
    user.updated_at = clock_.NowMillis();
    return OkStatus();
  });
  if (result.status().ClashedOn(store::UserUniqueKey::kUsername)) {
    return AlreadyExistsError("this username is taken")
        .WithFieldErrors({{"username", "is already taken"}});
  }
  if (result.ok()) {
    json::array changed;
    if (update.username) changed.emplace_back("username");
    if (update.profile_patch) {
      for (const auto& kv : *update.profile_patch) changed.emplace_back(kv.key());
    }
    Audit(audit_, UserEvent(app, store::AuditAction::kUserProfileUpdated, user_id, {},
                            {{"changed", changed}}));
  }
  return result;
}

Status AccountService::ConfirmCurrentPassword(const store::App& app, const store::User& user,
                                              std::string_view password,
                                              const ClientInfo& client) {
  if (!user.password_hash) return OkStatus();
  const std::string subject = AccountSubject(user.id);
  if (throttle_) {
    Status allowed = throttle_->Check(app, subject, client.ip);
    if (allowed.code() == StatusCode::kRateLimited) {
      return RateLimitedError("Too many wrong passwords. " + TryAgainIn(allowed.retry_after_s()),
                              allowed.retry_after_s())
          .WithFieldErrors({{"current_password", "too many wrong attempts, try again later"}});
    }
    TESSERA_RETURN_IF_ERROR(allowed);
  }
  crypto::PasswordMatch match = crypto::PasswordMatch::kNo;
  if (password.size() <= 4 * options_.password.max_length) {  // longer cannot be right
    TESSERA_ASSIGN_OR_RETURN(match, hasher_.Verify(password, *user.password_hash));
  }
  if (match == crypto::PasswordMatch::kNo) {
    if (throttle_) throttle_->RecordFailure(app, subject, client.ip);
    return ValidationError({{"current_password", "is incorrect"}});
  }
  if (throttle_) throttle_->RecordSuccess(app, subject);
  return OkStatus();
}

Result<AccessEnded> AccountService::ChangePassword(const store::App& app,
                                                   std::string_view user_id,
                                                   std::string_view current_password,
                                                   std::string_view new_password,
                                                   std::string_view keep_session,
                                                   const ClientInfo& client,
                                                   bool keep_api_tokens) {
  TESSERA_ASSIGN_OR_RETURN(store::User user, users_.GetUser(app.id, user_id));
  Status confirmed = ConfirmCurrentPassword(app, user, current_password, client);
  if (!confirmed.ok()) {
    if (!confirmed.field_errors().empty()) {
      Audit(audit_, UserEvent(app, store::AuditAction::kUserPasswordChanged, user_id, client,
                              {{"reason", confirmed.code() == StatusCode::kRateLimited
                                              ? "rate_limited"
                                              : "wrong_current_password"}},
                              false));
    }
    return confirmed;
  }
  if (auto why = CheckPassword(new_password, PolicyFor(app), user.email,
                               user.username.value_or(""))) {
    return ValidationError({{"new_password", *why}});
  }
  TESSERA_ASSIGN_OR_RETURN(std::string hash, hasher_.Hash(new_password));
  int64_t now = clock_.NowMillis();
  TESSERA_RETURN_IF_ERROR(users_.UpdateUser(app.id, user_id, [&](store::User& u) {
    u.password_hash = hash;
    u.updated_at = now;
    return OkStatus();
  }).status());
  TESSERA_ASSIGN_OR_RETURN(AccessEnded ended,
                           EndAccess(app, user_id, keep_session,
                                     store::RevokeReason::kPasswordChange, keep_api_tokens));
  LogJson(spdlog::level::info, "password_changed",
          {{"app", app.slug},
           {"user_id", user_id},
           {"sessions_revoked", ended.sessions},
           {"api_tokens_revoked", ended.api_tokens}});
  Audit(audit_, UserEvent(app, store::AuditAction::kUserPasswordChanged, user_id, {},
                          {{"sessions_revoked", ended.sessions},
                           {"api_tokens_revoked", ended.api_tokens}}));
  return ended;
}

}  // namespace tessera::services
