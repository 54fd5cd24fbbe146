// File: refresh_token_rotation.h
// Refresh tokens, written once for the account API and the OAuth refresh grant: issuing the
// first token of a session, and rotating it with reuse detection (RFC 9700 §4.14.2). Every
// refresh spends the presented token and returns a new one; presenting a spent token again is
// taken as theft and revokes the whole session, whoever presents it.
#pragma once

#include <string>
#include <string_view>

#include "accounts/user_store.h"
#include "audit/audit_log.h"
#include "base/clock.h"
#include "base/metrics.h"
#include "base/result.h"
#include "sessions/session_store.h"
#include "tenancy/tenancy_records.h"

namespace tessera::services {

// Refresh tokens look like "tsr_" + 43 base64url characters; checked before any lookup.
inline constexpr std::string_view kRefreshTokenPrefix = "tsr_";

struct RefreshTokenOptions {
  int64_t refresh_token_ttl_s = 30LL * 24 * 3600;  // sliding: each rotation extends it
};

// A new refresh token: the secret for the client, the record for the store.
struct NewRefreshToken {
  std::string token;
  store::RefreshToken record;
};

struct RotatedRefreshToken {
  std::string refresh_token;  // the next token
  store::Session session;
  store::User user;
};

class RefreshTokenRotation {
 public:
  RefreshTokenRotation(store::SessionStore& sessions, store::UserStore& users, const Clock& clock,
                       Metrics& metrics, RefreshTokenOptions options, AuditLog* audit = nullptr)
      : sessions_(sessions), users_(users), clock_(clock), metrics_(metrics), options_(options),
        audit_(audit) {}

  // The first token of `session` (stored with it by SessionStore::CreateSession); it ends no
  // later than the session.
  NewRefreshToken First(const store::App& app, const store::Session& session) const;

  // Spends `presented` and returns the next token with its session and user. `client_id` is
  // the OAuth client presenting it ("" for the account API): a token of another client is not
  // live for it. Anything not live — malformed, unknown, expired, revoked, another app's or
  // client's, a disabled or deleted user (whose session is then revoked) — is
  // kUnauthenticated "invalid or expired refresh token"; a replay of a spent token revokes its
  // session first.
  Result<RotatedRefreshToken> Rotate(const store::App& app, std::string_view client_id,
                                     std::string_view presented, const ClientInfo& client);

  // Whether `token` could be a refresh token at all (checked before any lookup).
  static bool IsShaped(std::string_view token);

  const RefreshTokenOptions& options() const { return options_; }

 private:
  int64_t TtlMs(const store::App& app) const;  // the app's setting or the server's
  void RevokeReplayedSession(const store::App& app, std::string_view client_id,
                             const store::Session& session, const ClientInfo& client);

  store::SessionStore& sessions_;
  store::UserStore& users_;
  const Clock& clock_;
  Metrics& metrics_;
  RefreshTokenOptions options_;
  AuditLog* audit_;  // may be null
};

}  // namespace tessera::services
