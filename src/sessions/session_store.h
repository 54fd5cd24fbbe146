// File: session_store.h
// Persistence of sessions and refresh tokens (contracts: store/store.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "sessions/session_records.h"

namespace tessera::store {

// The unique keys of sessions and their refresh tokens (Status::ClashedOn).
enum class SessionUniqueKey { kId, kCookieHash, kRefreshTokenId, kRefreshTokenHash };

// Every Revoke* below ends sessions in one transaction with what follows from it:
// - the "oauth" grants started from an ended browser session (Session::parent_id) end too,
//   unless their scope has offline_access (OIDC Core §11);
// - when EndingTellsClient(reason), a back-channel logout delivery (outbound/delivery_store.h)
//   is queued for each ended grant, and for each offline grant whose browser session ended,
//   whose live client has a backchannel_logout_uri — once per grant (and browser session).
class SessionStore {
 public:
  virtual ~SessionStore() = default;
  // Stores a new session with its first refresh token (if any), atomically.
  virtual Status CreateSession(const Session& session,
                               const std::optional<RefreshToken>& first) = 0;
  // Stores a browser session (kind kBrowser, whatever session.kind says) proven by a cookie whose
  // SHA-256 is `cookie_hash`.
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
                               std::string_view session_id, RevokeReason reason,
                               UnixMillis now) = 0;
  // Revokes a session by id within the app whoever its user is (code replay, token
  // revocation); kNotFound if there is none or it is already revoked.
  virtual Status RevokeSessionById(std::string_view app_id, std::string_view session_id,
                                   RevokeReason reason, UnixMillis now) = 0;
  // Revokes every live "oauth" session of the user with that client; returns how many.
  virtual Result<int64_t> RevokeClientSessions(std::string_view app_id, std::string_view user_id,
                                               std::string_view client_id, RevokeReason reason,
                                               UnixMillis now) = 0;
  // Revokes every live session of the user except `keep_session_id` (may be empty);
  // returns how many were revoked.
  virtual Result<int64_t> RevokeUserSessions(std::string_view app_id, std::string_view user_id,
                                             std::string_view keep_session_id, RevokeReason reason,
                                             UnixMillis now) = 0;
  // The grants started from browser session `from_parent_id` now count as started from
  // `to_parent_id` (a new sign-in of the same user in the same browser replaces the old one).
  virtual Status AdoptChildSessions(std::string_view app_id, std::string_view from_parent_id,
                                    std::string_view to_parent_id) = 0;
};

}  // namespace tessera::store
