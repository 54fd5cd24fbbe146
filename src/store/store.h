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
//   one token exactly one gets kRotated.
// - Failures of the database itself are kUnavailable (retryable) or kInternal.
#pragma once

#include <functional>
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
  virtual Result<std::vector<App>> ListApps() = 0;
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
};

class SessionStore {
 public:
  virtual ~SessionStore() = default;
  // Stores a new session with its first refresh token, atomically.
  virtual Status CreateSession(const Session& session, const RefreshToken& first) = 0;
  virtual Result<Session> GetSession(std::string_view app_id, std::string_view session_id) = 0;
  virtual Result<std::vector<Session>> ListActiveSessions(std::string_view app_id,
                                                          std::string_view user_id,
                                                          UnixMillis now) = 0;
  // See the contract above. Only a token of a session of `app_id` is considered (another
  // app's token is kInvalid and is not consumed). `next.session_id` is set by the store.
  virtual Result<Rotation> RotateRefreshToken(std::string_view app_id, std::string_view token_hash,
                                              RefreshToken next, UnixMillis now) = 0;
  // The session a refresh token (live or rotated) belongs to, within the app.
  virtual Result<Session> FindSessionByRefreshToken(std::string_view app_id,
                                                    std::string_view token_hash) = 0;
  // Revokes one session; kNotFound if it is not the user's or already revoked.
  virtual Status RevokeSession(std::string_view app_id, std::string_view user_id,
                               std::string_view session_id, std::string_view reason,
                               UnixMillis now) = 0;
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
  virtual Result<std::vector<OAuthClient>> ListClients(std::string_view app_id) = 0;
};

class Store : public AppStore,
              public UserStore,
              public SessionStore,
              public ApiTokenStore,
              public KeyStore,
              public ClientStore {
 public:
  // Cheap round trip to the database (readiness probe).
  virtual Status Ping() = 0;
  // Deletes what expired before `now` (minus a grace period kept for reuse detection).
  virtual Result<GcStats> CollectGarbage(UnixMillis now) = 0;
  virtual std::string_view Backend() const = 0;  // "sqlite" | "postgres"
};

}  // namespace tessera::store
