// File: session_records.h
// Sessions (API logins, browser sign-ins, OAuth grants) and their refresh tokens.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/enum_text.h"

namespace tessera::store {

// What a session is. Every kind is listed and revoked the same way (the account page and
// `GET /api/me/sessions` show them all); they differ in what proves them.
enum class SessionKind {
  kApi,      // account-API login: refresh tokens
  kBrowser,  // hosted pages: a cookie
  kOAuth,    // a client's grant: tokens of a code
};
inline constexpr EnumText<SessionKind> kSessionKindTexts[] = {
    {SessionKind::kApi, "api"}, {SessionKind::kBrowser, "browser"}, {SessionKind::kOAuth, "oauth"}};
constexpr std::span<const EnumText<SessionKind>> TextsOf(SessionKind) { return kSessionKindTexts; }

// Why a session ended (sessions.revoked_reason; in "session.revoked" audit events too).
enum class RevokeReason {
  kLogout,                // the user logged out (account API, hosted pages, OIDC end session)
  kLogoutAll,             // the user signed out everywhere
  kReplaced,              // a new sign-in in the same browser
  kRevokedByUser,         // the user ended this one session (account page or API)
  kPasswordChange,        // every other session, when the password changed
  kPasswordReset,         // every session, when the password was reset
  kUserDisabled,          // the account was disabled (or is gone)
  kAdminLogout,           // the app signed the user out everywhere
  kRefreshReuse,          // a spent refresh token was replayed
  kCodeReuse,             // an authorization code was redeemed twice
  kTokenRevoked,          // the client revoked its token (RFC 7009)
  kAuthorizationRevoked,  // the user revoked the client's access
  kAddressProven,         // every session, when the owner first proved an unverified address
  kEmailChanged,          // the app (console, server API) gave the account another address
  kClientRevoked,         // the app revoked the OAuth client the grant was issued to
};
inline constexpr EnumText<RevokeReason> kRevokeReasonTexts[] = {
    {RevokeReason::kLogout, "logout"},
    {RevokeReason::kLogoutAll, "logout_all"},
    {RevokeReason::kReplaced, "replaced"},
    {RevokeReason::kRevokedByUser, "revoked_by_user"},
    {RevokeReason::kPasswordChange, "password_change"},
    {RevokeReason::kPasswordReset, "password_reset"},
    {RevokeReason::kUserDisabled, "user_disabled"},
    {RevokeReason::kAdminLogout, "admin_logout"},
    {RevokeReason::kRefreshReuse, "refresh_reuse"},
    {RevokeReason::kCodeReuse, "code_reuse"},
    {RevokeReason::kTokenRevoked, "token_revoked"},
    {RevokeReason::kAuthorizationRevoked, "authorization_revoked"},
    {RevokeReason::kAddressProven, "address_proven"},
    {RevokeReason::kEmailChanged, "email_changed"},
    {RevokeReason::kClientRevoked, "client_revoked"},
    // Former text: the account page wrote "user_revoked" where the account API wrote
    // "revoked_by_user"; rows of either read as kRevokedByUser.
    {RevokeReason::kRevokedByUser, "user_revoked"},
};
constexpr std::span<const EnumText<RevokeReason>> TextsOf(RevokeReason) {
  return kRevokeReasonTexts;
}

// A login session: a refresh-token family (a device), a browser sign-in, or an OAuth grant.
struct Session {
  std::string id;
  std::string app_id;
  std::string user_id;
  SessionKind kind = SessionKind::kApi;
  std::string client_id;  // the OAuth client of an "oauth" session; "" otherwise
  std::string scope;      // granted scope of an "oauth" session (space separated)
  UnixMillis auth_time = 0;  // when the user last authenticated (OIDC auth_time); 0 = created_at
  // How they authenticated: OIDC `amr` values (RFC 8176), space separated — "pwd", "otp", or
  // "fed" through an upstream provider, whose issuer is `idp`; "" = not recorded.
  std::string amr;
  std::string idp;
  UnixMillis created_at = 0;
  UnixMillis last_used_at = 0;
  UnixMillis expires_at = 0;  // absolute lifetime of the family
  std::optional<UnixMillis> revoked_at;
  std::optional<RevokeReason> revoked_reason;  // set with revoked_at
  std::string user_agent;
  std::string ip;
  // DPoP (RFC 9449 §5): the thumbprint of the key a public client's grant is bound to; its
  // refresh tokens are spent only with a proof of that key. "" = not bound.
  std::string dpop_jkt{};
  // The browser session an "oauth" grant was started from (a code flow's sign-in); "" for
  // none. The grant ends with it unless it is offline (its scope has offline_access).
  std::string parent_id{};
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

// Whether a grant's client is sent a logout token (OIDC Back-Channel Logout) when its session
// ends for this reason: not when the client itself revoked the token, nor when the client
// is gone.
constexpr bool EndingTellsClient(RevokeReason reason) {
  return reason != RevokeReason::kTokenRevoked && reason != RevokeReason::kClientRevoked;
}

// The client_id that account-API sessions (client_id "") carry in tokens and listings.
inline constexpr std::string_view kAccountApiClientId = "account-api";

}  // namespace tessera::store
