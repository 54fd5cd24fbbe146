// File: oauth_records.h
// OAuth clients, authorization codes and consents.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <span>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/enum_text.h"

namespace tessera::store {

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
  // JWS alg of its ID tokens (OIDC Registration; RS256 unless it registered another).
  std::string id_token_signed_response_alg = "RS256";
  // A resource server may introspect every access token of the app, not only its own.
  bool resource_server = false;
  // Its authorization requests must be pushed first (RFC 9126 §6): a plain /authorize request
  // of this client is refused.
  bool require_pushed_authorization_requests = false;
  // The audiences it may ask for in a token exchange (RFC 8693 §2.1 audience/resource): its
  // policy of which services it may call on a user's behalf. Empty: none.
  std::vector<std::string> token_exchange_audiences;
  // It must send a DPoP proof with every token request (RFC 9449 §5.2 client metadata), so
  // its tokens are always bound to a key it holds: a stolen token is useless without the key.
  bool dpop_bound_access_tokens = false;
  // OIDC Back-Channel Logout 1.0 §2.2: where a signed logout token is POSTed when a session
  // of the user at this client ends (while the app has backchannel_logout on); "" = none.
  std::string backchannel_logout_uri{};
  // It needs `sid` in its logout tokens (Tessera always sends it); kept as registered.
  bool backchannel_logout_session_required = false;
  // Its public keys, a JWK Set as JSON text (OIDC Registration `jwks`); "" = none. They verify
  // its signed request objects (RFC 9101).
  std::string jwks{};
  // Its authorization requests must come as a signed request object (RFC 9101 §10.5) or be
  // pushed (RFC 9126): a plain /authorize request of this client is refused.
  bool require_signed_request_object = false;
  // OIDC Core §8.1: its users' `sub` is pairwise — derived from the user and the client's
  // sector (the host of its redirect URIs, subject_identifiers.h) — so clients of different
  // sectors cannot link a user by it. Registration metadata subject_type "pairwise".
  bool pairwise_subject = false;
  // RFC 7592: the SHA-256 of the registration access token that reads, updates and deletes a
  // client registered at {issuer}/oauth/register; "" for a client made in the console or CLI,
  // which has none.
  std::string registration_access_token_hash{};
  UnixMillis created_at = 0;
  std::optional<UnixMillis> revoked_at;
};

// RFC 7591 §3: what a developer hands out so that software may register its own clients at
// {issuer}/oauth/register (Authorization: Bearer tiat_…). Made in the console or CLI, shown
// once, stored as SHA-256; good for any number of registrations until it expires or is
// revoked (the clients it registered stay).
struct InitialAccessToken {
  std::string id;
  std::string app_id;
  std::string name;
  std::string prefix;  // the first characters, shown in lists
  std::string token_hash;
  std::string created_by;  // console user id ("cli" for the command line)
  UnixMillis created_at = 0;
  std::optional<UnixMillis> expires_at;  // nullopt: until revoked
  std::optional<UnixMillis> last_used_at;
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
  std::string amr;  // the browser session's (Session::amr), for the ID token
  std::string idp;
  // DPoP (RFC 9449 §10): the thumbprint of the key the request named (dpop_jkt); the code is
  // redeemed only with a proof of that key. "" = none named.
  std::string dpop_jkt{};
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

// A device authorization (RFC 8628 §3.1–3.5): a device without a browser (a TV, a command-line
// tool) was given a device_code to poll with and a short user_code the user enters on the
// hosted page. Both codes are stored only as their hashes. A request is pending until the
// user approves or denies it; an approved one is redeemed once, at the token endpoint, into
// an "oauth" session.
enum class DeviceAuthorizationStatus { kPending, kApproved, kDenied, kRedeemed };
inline constexpr EnumText<DeviceAuthorizationStatus> kDeviceAuthorizationStatusTexts[] = {
    {DeviceAuthorizationStatus::kPending, "pending"},
    {DeviceAuthorizationStatus::kApproved, "approved"},
    {DeviceAuthorizationStatus::kDenied, "denied"},
    {DeviceAuthorizationStatus::kRedeemed, "redeemed"}};
constexpr std::span<const EnumText<DeviceAuthorizationStatus>> TextsOf(DeviceAuthorizationStatus) {
  return kDeviceAuthorizationStatusTexts;
}

struct DeviceAuthorization {
  std::string device_code_hash;
  std::string user_code_hash;
  std::string app_id;
  std::string client_id;
  std::string scope;  // what the user is asked to grant (space separated)
  DeviceAuthorizationStatus status = DeviceAuthorizationStatus::kPending;
  int64_t interval_s = 5;          // the least time between two polls; slow_down adds 5 s
  UnixMillis last_polled_at = 0;   // 0 until the device first polls
  UnixMillis created_at = 0;
  UnixMillis expires_at = 0;
  // Set when the user decided; for an approval also what the grant starts from (as in
  // AuthorizationCode): the user, the session the redemption creates, and the sign-in's facts.
  std::optional<UnixMillis> decided_at;
  std::string user_id;
  std::string session_id;
  std::string browser_session_id;
  UnixMillis auth_time = 0;
  std::string amr;
  std::string idp;
};

// A pushed authorization request (RFC 9126): the parameters a client sent to the PAR
// endpoint, found by the hash of the request_uri it got back. It starts a flow within its
// lifetime and is used once — by the code (or the refusal) that ends the flow.
struct PushedAuthorizationRequest {
  std::string request_uri_hash;
  std::string app_id;
  std::string client_id;
  std::string params_json;  // the authorization request's parameters, a JSON object of strings
  UnixMillis created_at = 0;
  UnixMillis expires_at = 0;
  std::optional<UnixMillis> used_at;
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

}  // namespace tessera::store
