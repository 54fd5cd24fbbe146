// File: session_records.h
// Sessions (API logins, browser sign-ins, OAuth grants) and their refresh tokens.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"

namespace tessera::store {

// What a session is. Every kind is listed and revoked the same way (the account page and
// `GET /api/me/sessions` show them all); they differ in what proves them.
inline constexpr std::string_view kSessionApi = "api";          // account-API login: refresh tokens

inline constexpr std::string_view kSessionBrowser = "browser";  // hosted pages: a cookie

inline constexpr std::string_view kSessionOAuth = "oauth";      // a client's grant: tokens of a code

// A login session: a refresh-token family (a device), a browser sign-in, or an OAuth grant.
struct Session {
  std::string id;
  std::string app_id;
  std::string user_id;
  std::string kind = std::string(kSessionApi);
  std::string client_id;  // the OAuth client of an "oauth" session; "" otherwise
  std::string scope;      // granted scope of an "oauth" session (space separated)
  UnixMillis auth_time = 0;  // when the user last authenticated (OIDC auth_time); 0 = created_at
  UnixMillis created_at = 0;
  UnixMillis last_used_at = 0;
  UnixMillis expires_at = 0;  // absolute lifetime of the family
  std::optional<UnixMillis> revoked_at;
  std::string revoked_reason;  // "logout", "logout_all", "password_change", "refresh_reuse", …
  std::string user_agent;
  std::string ip;
};

struct RefreshToken {
  std::string id;
  std::string session_id;
  std::string token_hash;
  UnixMillis created_at = 0;
  UnixMillis expires_at = 0;
  std::optional<UnixMillis> used_at;  // set when rotated
};

struct RefreshTokenInfo {
  RefreshToken token;
  Session session;
};

// What RotateRefreshToken found.
enum class RotationOutcome {
  kRotated,   // the token was live: marked used, the next one stored
  kReused,    // the token had already been rotated: a replay (RFC 9700 §4.14.2)
  kInvalid,   // unknown, expired, or its session revoked/expired
};

struct Rotation {
  RotationOutcome outcome = RotationOutcome::kInvalid;
  std::optional<Session> session;  // set for kRotated and kReused
};

// When the user of a session last authenticated (OIDC auth_time): sessions made before the
// field existed count from their creation.
inline UnixMillis AuthTimeOf(const Session& s) { return s.auth_time ? s.auth_time : s.created_at; }

// The client_id that account-API sessions (client_id "") carry in tokens and listings.
inline constexpr std::string_view kAccountApiClientId = "account-api";

}  // namespace tessera::store
