// File: store.h
// Persistence interfaces, one narrow interface per domain, composed into `Store`.
// Services take the narrowest one they need. All SQL lives behind these interfaces.
//
// Contracts (every implementation, checked by tests/store/store_conformance_test.cc):
// - Times are UTC milliseconds; what is written reads back equal.
// - Create* returns kAlreadyExists on a unique clash, naming the field in the message
//   ("email", "username", "slug", …); Get* returns kNotFound when there is no such record.
// - Every lookup of a per-app record takes the app id: a record of another app is kNotFound.
// - UpdateUser is atomic: `mutate` sees the current row inside the write transaction; its
//   changes are stored only when it returns OK. It must not touch id, app_id or created_at.
// - RotateRefreshToken consumes the old token atomically: of two concurrent rotations of
//   one token exactly one gets kRotated. RedeemAuthorizationCode likewise: of two concurrent
//   redemptions of one code exactly one gets kConsumed.
// - A session is live while revoked_at is null and expires_at > now; a browser session also
//   needs last_used_at + idle_ttl > now.
// - Failures of the database itself are kUnavailable (retryable) or kInternal.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "store/records.h"

namespace tessera::store {

class AppStore {
 public:
  virtual ~AppStore() = default;
  virtual Status CreateApp(const App& app) = 0;
  virtual Result<App> GetAppBySlug(std::string_view slug) = 0;
  virtual Result<App> GetAppById(std::string_view app_id) = 0;
  virtual Result<std::vector<App>> ListApps() = 0;
  // Replaces the app's settings (a JSON object); kNotFound for an unknown app.
  virtual Status UpdateAppSettings(std::string_view app_id, std::string_view settings_json) = 0;
  // Atomic like UpdateUser: `mutate` may change name, disabled and settings_json (not id,
  // slug or created_at). Returns the stored app.
  virtual Result<App> UpdateApp(std::string_view app_id,
                                const std::function<Status(App&)>& mutate) = 0;
};

// Who may manage an app from the developer console.
class AppMemberStore {
 public:
  virtual ~AppMemberStore() = default;
  // kAlreadyExists "member" when the user is already a member of the app.
  virtual Status AddAppMember(const AppMember& member) = 0;
  // kNotFound when the user is not a member of the app.
  virtual Result<AppMember> GetAppMember(std::string_view app_id, std::string_view user_id) = 0;
  // Oldest first.
  virtual Result<std::vector<AppMember>> ListAppMembers(std::string_view app_id) = 0;
  // Every membership of a console user, oldest first.
  virtual Result<std::vector<AppMember>> ListMembershipsOfUser(std::string_view user_id) = 0;
  // Changes the role; kNotFound when the user is not a member.
  virtual Status SetAppMemberRole(std::string_view app_id, std::string_view user_id,
                                  std::string_view role) = 0;
  // kNotFound when the user is not a member.
  virtual Status RemoveAppMember(std::string_view app_id, std::string_view user_id) = 0;
};

// Secret keys of apps' backends.
class AppApiKeyStore {
 public:
  virtual ~AppApiKeyStore() = default;
  // kAlreadyExists on a hash clash.
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

class UserStore {
 public:
  virtual ~UserStore() = default;
  virtual Status CreateUser(const User& user) = 0;
  virtual Result<User> GetUser(std::string_view app_id, std::string_view user_id) = 0;
  virtual Result<User> GetUserByEmail(std::string_view app_id, std::string_view email_normalized) = 0;
  virtual Result<User> GetUserByUsername(std::string_view app_id,
                                         std::string_view username_normalized) = 0;
  virtual Result<User> UpdateUser(std::string_view app_id, std::string_view user_id,
                                  const std::function<Status(User&)>& mutate) = 0;
  // Records a successful login; `new_password_hash` (if set) replaces a stale hash.
  virtual Status RecordLogin(std::string_view app_id, std::string_view user_id, UnixMillis now,
                             const std::optional<std::string>& new_password_hash) = 0;
  // A page of the app's users (see UserQuery); the search matches a substring of the
  // normalized email or username, with LIKE metacharacters taken literally.
  virtual Result<UserPage> ListUsers(const UserQuery& query) = 0;
  virtual Result<int64_t> CountUsers(std::string_view app_id) = 0;
  // Deletes the user and everything of theirs (sessions, tokens, consents, codes, email
  // tokens, memberships); kNotFound when there is no such user in the app.
  virtual Status DeleteUser(std::string_view app_id, std::string_view user_id) = 0;
};

class SessionStore {
 public:
  virtual ~SessionStore() = default;
  // Stores a new session with its first refresh token (if any), atomically.
  virtual Status CreateSession(const Session& session,
                               const std::optional<RefreshToken>& first) = 0;
  // Stores a browser session (kind "browser") proven by a cookie whose SHA-256 is `cookie_hash`.
  virtual Status CreateBrowserSession(const Session& session, std::string_view cookie_hash) = 0;
  // The live browser session of a cookie hash within the app (see the contract above);
  // kNotFound otherwise.
  virtual Result<Session> GetBrowserSession(std::string_view app_id, std::string_view cookie_hash,
                                            UnixMillis now, int64_t idle_ttl_ms) = 0;
  // Sets last_used_at (sliding idle timeout). kNotFound when there is no such session.
  virtual Status TouchSession(std::string_view session_id, UnixMillis now) = 0;
  virtual Result<Session> GetSession(std::string_view app_id, std::string_view session_id) = 0;
  virtual Result<std::vector<Session>> ListActiveSessions(std::string_view app_id,
                                                          std::string_view user_id,
                                                          UnixMillis now) = 0;
  // See the contract above. Only a token of a session of `app_id` is considered (another
  // app's token is kInvalid and is not consumed). `next.session_id` is set by the store.
  // Only a token whose session has `client_id` ("" for the account API) is considered too:
  // a token presented by another client is kInvalid and is not consumed.
  virtual Result<Rotation> RotateRefreshToken(std::string_view app_id, std::string_view client_id,
                                              std::string_view token_hash, RefreshToken next,
                                              UnixMillis now) = 0;
  // A refresh token (live or not) and its session, within the app; kNotFound otherwise.
  virtual Result<RefreshTokenInfo> GetRefreshToken(std::string_view app_id,
                                                   std::string_view token_hash) = 0;
  // The session a refresh token (live or rotated) belongs to, within the app.
  virtual Result<Session> FindSessionByRefreshToken(std::string_view app_id,
                                                    std::string_view token_hash) = 0;
  // Revokes one session; kNotFound if it is not the user's or already revoked.
  virtual Status RevokeSession(std::string_view app_id, std::string_view user_id,
                               std::string_view session_id, std::string_view reason,
                               UnixMillis now) = 0;
  // Revokes a session by id within the app whoever its user is (code replay, token
  // revocation); kNotFound if there is none or it is already revoked.
  virtual Status RevokeSessionById(std::string_view app_id, std::string_view session_id,
                                   std::string_view reason, UnixMillis now) = 0;
  // Revokes every live "oauth" session of the user with that client; returns how many.
  virtual Result<int64_t> RevokeClientSessions(std::string_view app_id, std::string_view user_id,
                                               std::string_view client_id,
                                               std::string_view reason, UnixMillis now) = 0;
  // Revokes every live session of the user except `keep_session_id` (may be empty);
  // returns how many were revoked.
  virtual Result<int64_t> RevokeUserSessions(std::string_view app_id, std::string_view user_id,
                                             std::string_view keep_session_id,
                                             std::string_view reason, UnixMillis now) = 0;
};

class ApiTokenStore {
 public:
  virtual ~ApiTokenStore() = default;
  virtual Status CreateApiToken(const ApiToken& token) = 0;
  // Any app: the hash is globally unique; the caller checks the app.
  virtual Result<ApiToken> GetApiTokenByHash(std::string_view token_hash) = 0;
  virtual Result<std::vector<ApiToken>> ListApiTokens(std::string_view app_id,
                                                      std::string_view user_id) = 0;
  virtual Status RevokeApiToken(std::string_view app_id, std::string_view user_id,
                                std::string_view token_id, UnixMillis now) = 0;
  virtual Status TouchApiToken(std::string_view token_id, UnixMillis now) = 0;
};

class KeyStore {
 public:
  virtual ~KeyStore() = default;
  virtual Status InsertSigningKey(const SigningKeyRecord& key) = 0;
  // Newest first.
  virtual Result<std::vector<SigningKeyRecord>> ListSigningKeys() = 0;
  // Marks every active key but `keep_kid` retired at `now`.
  virtual Status RetireSigningKeysExcept(std::string_view keep_kid, UnixMillis now) = 0;
};

class ClientStore {
 public:
  virtual ~ClientStore() = default;
  virtual Status CreateClient(const OAuthClient& client) = 0;
  // kNotFound for an unknown client, another app's client, or a revoked one.
  virtual Result<OAuthClient> GetClient(std::string_view app_id, std::string_view client_id) = 0;
  // Live clients, oldest first.
  virtual Result<std::vector<OAuthClient>> ListClients(std::string_view app_id) = 0;
  // Atomic like UpdateUser, for a live client: `mutate` may change everything but client_id,
  // app_id, created_at and revoked_at. kNotFound for an unknown, other app's or revoked client.
  virtual Result<OAuthClient> UpdateClient(std::string_view app_id, std::string_view client_id,
                                           const std::function<Status(OAuthClient&)>& mutate) = 0;
  // Marks a live client revoked; kNotFound otherwise.
  virtual Status RevokeClient(std::string_view app_id, std::string_view client_id,
                              UnixMillis now) = 0;
};

class AuthorizationStore {
 public:
  virtual ~AuthorizationStore() = default;
  virtual Status CreateAuthorizationCode(const AuthorizationCode& code) = 0;
  // See the contract above. Marks a live code of the app used at `now`; a code already used
  // is kReused (with the record, so the caller can revoke code.session_id); an expired,
  // unknown or other app's code is kInvalid.
  virtual Result<CodeRedemption> RedeemAuthorizationCode(std::string_view app_id,
                                                         std::string_view code_hash,
                                                         UnixMillis now) = 0;

  // kNotFound when the user has not consented to the client (or revoked it).
  virtual Result<Consent> GetConsent(std::string_view app_id, std::string_view user_id,
                                     std::string_view client_id) = 0;
  // Inserts or replaces the consent's scopes (created_at is kept on replace).
  virtual Status SaveConsent(const Consent& consent) = 0;
  // Newest first.
  virtual Result<std::vector<Consent>> ListConsents(std::string_view app_id,
                                                    std::string_view user_id) = 0;
  // kNotFound when there was none.
  virtual Status DeleteConsent(std::string_view app_id, std::string_view user_id,
                               std::string_view client_id) = 0;
};

class ThrottleStore {
 public:
  virtual ~ThrottleStore() = default;
  // The counter of `key`; {0, 0} when there is none or its window (started at window_start)
  // ended before `now`.
  virtual Result<ThrottleState> GetThrottle(std::string_view key, UnixMillis now,
                                            int64_t window_ms) = 0;
  // Adds one failure atomically: starts a new window at `now` when there is none or the old
  // one ended. Returns the new state. Concurrent calls never lose a count.
  virtual Result<ThrottleState> AddThrottleFailure(std::string_view key, UnixMillis now,
                                                   int64_t window_ms) = 0;
  virtual Status ClearThrottle(std::string_view key) = 0;
};

class MailStore {
 public:
  virtual ~MailStore() = default;
  virtual Status EnqueueMail(const OutgoingMail& mail) = 0;
  // Leases up to `limit` unsent mails due at `now` (next_attempt_at <= now), oldest first:
  // each gets attempts + 1 and next_attempt_at = now + lease_ms, so neither another worker
  // nor another node takes it while it is being sent, and a sender that dies mid-way only
  // delays it. Two concurrent calls never return the same mail.
  virtual Result<std::vector<OutgoingMail>> LeaseDueMail(UnixMillis now, int limit,
                                                         int64_t lease_ms) = 0;
  virtual Status MarkMailSent(std::string_view mail_id, UnixMillis now) = 0;
  // Keeps it queued for another attempt at `retry_at` (mail is never dropped).
  virtual Status MarkMailFailed(std::string_view mail_id, std::string_view error,
                                UnixMillis retry_at) = 0;
  // Unsent mails (a gauge for metrics and tests).
  virtual Result<int64_t> CountUnsentMail() = 0;
};

class EmailTokenStore {
 public:
  virtual ~EmailTokenStore() = default;
  // Stores a token and voids (marks used) every older unused token of the same app, email
  // and purpose, atomically: a newer link voids the older ones.
  virtual Status CreateEmailToken(const EmailToken& token) = 0;
  // Marks a live token of the app and purpose used, atomically (of two concurrent calls one
  // gets kConsumed); otherwise says why it is not live.
  // With `max_attempts` > 0 (one-time codes), a token with that many wrong guesses is not
  // live either (kUsed) — checked in the same statement, so racing guesses cannot slip by.
  virtual Result<EmailTokenRedemption> ConsumeEmailToken(std::string_view app_id,
                                                         std::string_view token_hash,
                                                         std::string_view purpose,
                                                         UnixMillis now,
                                                         int64_t max_attempts = 0) = 0;
  // A token of the app and purpose in any state, without consuming it (to check what the
  // consumption depends on first); kNotFound otherwise.
  virtual Result<EmailToken> GetEmailToken(std::string_view app_id, std::string_view token_hash,
                                           std::string_view purpose) = 0;
  // The newest live (unused, unexpired) token of (app, email, purpose); kNotFound otherwise.
  virtual Result<EmailToken> GetLiveEmailToken(std::string_view app_id, std::string_view email,
                                               std::string_view purpose, UnixMillis now) = 0;
  // Counts one wrong guess against a one-time code; returns the new count.
  virtual Result<int64_t> AddEmailTokenAttempt(std::string_view token_hash) = 0;
};

class AuditStore {
 public:
  virtual ~AuditStore() = default;
  // Appends one event (kAlreadyExists "id" on a clash); events are never updated.
  virtual Status AppendAuditEvent(const AuditEvent& event) = 0;
  // Events matching every set field of the filter, newest first (at desc, id desc), at most
  // filter.limit (clamped to 1..200). With a cursor, only events after that one in this
  // order: paging is stable while events are appended. An unknown cursor yields nothing.
  virtual Result<std::vector<AuditEvent>> ListAuditEvents(const AuditFilter& filter) = 0;
  // Retention: deletes every event with at < `before`; returns how many.
  virtual Result<int64_t> DeleteAuditEventsBefore(UnixMillis before) = 0;
};

class Store : public AppStore,
              public AppMemberStore,
              public AppApiKeyStore,
              public UserStore,
              public SessionStore,
              public ApiTokenStore,
              public KeyStore,
              public ClientStore,
              public AuthorizationStore,
              public ThrottleStore,
              public MailStore,
              public EmailTokenStore,
              public AuditStore {
 public:
  // Cheap round trip to the database (readiness probe).
  virtual Status Ping() = 0;
  // Deletes what expired before `now` (minus a grace period kept for reuse detection).
  virtual Result<GcStats> CollectGarbage(UnixMillis now) = 0;
  virtual std::string_view Backend() const = 0;  // "sqlite" | "postgres"
};

}  // namespace tessera::store
