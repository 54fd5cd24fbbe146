// File: user_store.h
// Persistence of users (contracts: store/store.h).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "accounts/user_records.h"

namespace tessera::store {

// The unique keys of users: what a kAlreadyExists of CreateUser or UpdateUser clashed on
// (Status::ClashedOn).
enum class UserUniqueKey { kId, kEmail, kUsername };  // email and username: per app

class UserStore {
 public:
  virtual ~UserStore() = default;
  virtual Status CreateUser(const User& user) = 0;
  // CreateUser, and when the user is the app's only one at commit, adds `role` to their roles
  // (in the same transaction, serialized per app: of concurrent first sign-ups exactly one
  // gets it). Returns whether it was added.
  virtual Result<bool> CreateUserGrantingFirst(const User& user, std::string_view role) = 0;
  virtual Result<User> GetUser(std::string_view app_id, std::string_view user_id) = 0;
  // The user of an access token's session, in one read, only while the token still holds:
  // its session (`session_id`) not ended or expired at `now` and its `jti` not revoked. Every
  // node reads this, so a logout or a revocation on one is seen by all at the next request.
  // The session says who (a token's `sub` may be pairwise, not the user's id). kNotFound
  // otherwise.
  virtual Result<User> GetUserOfLiveToken(std::string_view app_id, std::string_view session_id,
                                          std::string_view jti, UnixMillis now) = 0;
  // The user whose session holds the refresh token of this hash (used or not, live or not),
  // in one read; kNotFound for an unknown hash or another app's. A refresh reads it before it
  // rotates, so the rotation's commit is the last step: an error before it leaves the token
  // unspent, and the client may retry with it.
  virtual Result<User> GetUserOfRefreshToken(std::string_view app_id,
                                             std::string_view token_hash) = 0;
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

}  // namespace tessera::store
