// File: records.h
// Plain records the store reads and writes. Times are UTC milliseconds since the epoch
// (base/clock.h); ids are UUID strings; secrets appear only as hashes.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"

namespace tessera::store {

struct App {
  std::string id;
  std::string slug;  // URL segment of the issuer: {PUBLIC_URL}/apps/{slug}
  std::string name;
  bool disabled = false;
  std::string settings_json = "{}";
  UnixMillis created_at = 0;
};

struct User {
  std::string id;
  std::string app_id;
  std::string email;             // as the user typed it (trimmed)
  std::string email_normalized;  // lowercase; unique per app
  std::optional<std::string> username;
  std::optional<std::string> username_normalized;  // lowercase; unique per app
  std::optional<std::string> password_hash;        // argon2id, or an imported Django/bcrypt hash
  bool email_verified = false;
  bool disabled = false;
  std::vector<std::string> roles;
  std::string profile_json = "{}";  // OIDC standard claims + "about" (services/profile.h)
  UnixMillis created_at = 0;
  UnixMillis updated_at = 0;
  std::optional<UnixMillis> last_login_at;
};

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

struct ApiToken {
  std::string id;
  std::string app_id;
  std::string user_id;
  std::string name;
  std::string prefix;  // the first characters of the token, shown in lists
  std::string token_hash;
  UnixMillis created_at = 0;
  std::optional<UnixMillis> expires_at;
  std::optional<UnixMillis> last_used_at;
  std::optional<UnixMillis> revoked_at;
};

struct SigningKeyRecord {
  std::string kid;
  std::string alg;
  std::string private_key_sealed;  // base64 of AES-256-GCM(master key, PEM), bound to kid
  std::string public_jwk_json;
  UnixMillis created_at = 0;
  std::optional<UnixMillis> retired_at;  // null = the active key
};

// An OAuth 2.0 client of an app (RFC 6749 §2). Public clients (native and browser apps)
// have no secret and must use PKCE; confidential ones authenticate with their secret.
struct OAuthClient {
  std::string client_id;
  std::string app_id;
  std::string name;
  std::optional<std::string> secret_hash;  // SHA-256 hex; null for public clients
  bool is_public = false;
  bool first_party = false;  // skips the consent screen
  std::vector<std::string> redirect_uris;
  std::vector<std::string> post_logout_redirect_uris;  // RP-initiated logout targets
  std::vector<std::string> grant_types;
  std::vector<std::string> scopes;  // the scopes it may request
  UnixMillis created_at = 0;
  std::optional<UnixMillis> revoked_at;
};

// An authorization code (RFC 6749 §4.1.2): stored only as its hash, single use, short-lived,
// bound to the client, the redirect URI and the PKCE challenge (RFC 7636).
struct AuthorizationCode {
  std::string code_hash;
  std::string app_id;
  std::string client_id;
  std::string user_id;
  std::string redirect_uri;
  std::string scope;
  std::string nonce;           // OIDC nonce, echoed in the ID token; may be empty
  std::string code_challenge;  // S256 challenge; empty when the (confidential) client sent none
  std::string session_id;      // the "oauth" session the exchange creates (chosen up front, so a
                               // replayed code can revoke what the first exchange issued)
  std::string browser_session_id;
  UnixMillis auth_time = 0;
  UnixMillis created_at = 0;
  UnixMillis expires_at = 0;
  std::optional<UnixMillis> used_at;
};

enum class CodeOutcome {
  kConsumed,  // the code was live: now marked used
  kReused,    // the code had been used before: a replay
  kInvalid,   // unknown, expired, or another app's
};

struct CodeRedemption {
  CodeOutcome outcome = CodeOutcome::kInvalid;
  std::optional<AuthorizationCode> code;  // set for kConsumed and kReused
};

// A user's consent to a client's scopes (remembered until revoked).
struct Consent {
  std::string app_id;
  std::string user_id;
  std::string client_id;
  std::vector<std::string> scopes;
  UnixMillis created_at = 0;
  UnixMillis updated_at = 0;
};

// Failed-login counter of one key ("account:<app>:<identifier>", "ip:<app>:<ip>") within a
// fixed window that starts at the first failure.
struct ThrottleState {
  int64_t failures = 0;
  UnixMillis window_start = 0;
};

// A message in the outbox (mail_outbox): queued in the same database as everything else, so
// a restart loses nothing; a background worker leases, sends and marks it.
struct OutgoingMail {
  std::string id;
  std::string app_id;
  std::string to_address;
  std::string from_address;  // the app's sender, chosen when queued; "" = the configured default
  std::string subject;
  std::string text_body;
  std::string html_body;  // may be empty
  std::string kind;       // "verify_email", "password_reset", … (logs and metrics)
  int64_t attempts = 0;
  std::string last_error;
  UnixMillis created_at = 0;
  UnixMillis next_attempt_at = 0;
  std::optional<UnixMillis> sent_at;
};

// Purposes of email tokens.
inline constexpr std::string_view kPurposeVerifyEmail = "verify_email";
inline constexpr std::string_view kPurposePasswordReset = "password_reset";
inline constexpr std::string_view kPurposeMagicLink = "magic_link";
inline constexpr std::string_view kPurposeEmailCode = "email_code";
inline constexpr std::string_view kPurposeChangeEmail = "change_email";

// A single-use secret sent by mail (link token or one-time code), stored only as a hash.
// Link tokens: token_hash = SHA-256 of the 256-bit token. One-time codes: token_hash =
// SHA-256(salt + code) with a random per-row salt; they are found by (app, email, purpose).
struct EmailToken {
  std::string token_hash;
  std::string app_id;
  std::optional<std::string> user_id;  // empty for a magic link that may create the user
  std::string email;                   // where it was sent (normalized)
  std::string purpose;                 // kPurpose…
  std::string new_email;               // change_email: the address being confirmed
  std::string redirect_uri;            // magic links from the API: where to go after
  std::string salt;                    // one-time codes only
  int64_t attempts = 0;                // one-time codes: wrong guesses so far
  UnixMillis created_at = 0;
  UnixMillis expires_at = 0;
  std::optional<UnixMillis> used_at;
};

enum class EmailTokenOutcome {
  kConsumed,  // live: now marked used
  kUsed,      // used (or voided by a newer token) before
  kExpired,
  kInvalid,   // unknown, another app's, or another purpose
};

struct EmailTokenRedemption {
  EmailTokenOutcome outcome = EmailTokenOutcome::kInvalid;
  std::optional<EmailToken> token;  // set unless kInvalid
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

// One entry of the append-only audit log: who (actor) did what (action) to whom (subject),
// from where, with what outcome. Never holds a secret (password, token, hash, code).
struct AuditEvent {
  std::string id{};                     // UUIDv7
  std::optional<std::string> app_id{};  // none for server-wide events
  UnixMillis at = 0;
  std::string action{};  // "user.signup", "user.login_failed", "api_token.revoked", …
  std::string actor_type = "system";  // "user" | "client" | "admin" | "system" | "anonymous"
  std::string actor_id{};
  std::string subject_type{};  // "user", "session", "api_token", "oauth_client", "app", …
  std::string subject_id{};
  std::string ip{};
  std::string user_agent{};
  std::string outcome = "success";  // "success" | "failure"
  std::string details_json = "{}";  // a small JSON object
};

// What ListAuditEvents returns: newest first (at, then id, descending). `cursor` is the id
// of the last event of the previous page (keyset paging).
struct AuditFilter {
  std::optional<std::string> app_id{};
  std::optional<std::string> action{};
  std::optional<std::string> actor_id{};
  std::optional<std::string> subject_id{};
  std::optional<UnixMillis> since{};  // at >= since
  std::optional<UnixMillis> until{};  // at < until
  std::optional<std::string> cursor{};
  int limit = 50;  // 1..200
};

// A developer's place in an app (the developer console): the user is a user of the
// console app; "owner" may manage members, "member" everything else.
inline constexpr std::string_view kRoleOwner = "owner";
inline constexpr std::string_view kRoleMember = "member";

struct AppMember {
  std::string app_id;
  std::string user_id;  // a user of the console app
  std::string role = std::string(kRoleMember);
  UnixMillis created_at = 0;
};

// A secret key of an app's backend (server-to-server API): shown once, stored as SHA-256,
// listed by prefix and name.
struct AppApiKey {
  std::string id;
  std::string app_id;
  std::string name;
  std::string prefix;  // the first characters of the key, shown in lists
  std::string key_hash;
  std::string created_by;  // console user id (or "" for the CLI)
  UnixMillis created_at = 0;
  std::optional<UnixMillis> last_used_at;
  std::optional<UnixMillis> revoked_at;
};

// A page of an app's users, newest first (created_at desc, id desc).
struct UserQuery {
  std::string app_id{};
  std::string search{};  // case-insensitive substring of email or username; "" = all
  std::optional<std::string> cursor{};  // id of the last user of the previous page
  int limit = 50;                     // clamped to 1..200
};

struct UserPage {
  std::vector<User> users;
  std::optional<std::string> next_cursor;  // set when there may be more
};

struct GcStats {
  int64_t refresh_tokens = 0;
  int64_t sessions = 0;
  int64_t api_tokens = 0;
  int64_t authorization_codes = 0;
  int64_t throttle_entries = 0;
  int64_t email_tokens = 0;
  int64_t sent_mail = 0;
};

}  // namespace tessera::store
