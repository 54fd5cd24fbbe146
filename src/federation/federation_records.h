// File: federation_records.h
// Sign-in through an upstream identity provider (identity brokering): an app's providers
// (GitHub, Google, any OpenID provider), the upstream identities linked to its users, and the
// single-use tickets that carry a sign-in across the trip to the provider and back.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "base/clock.h"
#include "base/enum_text.h"

namespace tessera::store {

// Which connector speaks to the provider. Google is a preset of the generic OpenID one.
enum class ProviderKind { kOidc, kGoogle, kGithub };
inline constexpr EnumText<ProviderKind> kProviderKindTexts[] = {
    {ProviderKind::kOidc, "oidc"}, {ProviderKind::kGoogle, "google"}, {ProviderKind::kGithub, "github"}};
constexpr std::span<const EnumText<ProviderKind>> TextsOf(ProviderKind) { return kProviderKindTexts; }

// One upstream provider of one app. Its `slug` names it in URLs
// ({issuer}/federation/{slug}/callback) and is unique within the app.
struct IdentityProvider {
  std::string id;
  std::string app_id;
  std::string slug;          // "github", "google", "corp-sso": [a-z0-9-], 1–40
  ProviderKind kind = ProviderKind::kOidc;
  std::string display_name;  // on the button: "Continue with {display_name}"
  bool enabled = true;
  std::string client_id;
  // The client secret sealed (AES-256-GCM) under the master key, bound to the provider id,
  // base64; "" when there is none. Write-only: never shown or logged.
  std::string client_secret_sealed;
  // OpenID: the issuer (discovery at {issuer}/.well-known/openid-configuration).
  // GitHub: the web base, https://github.com (or GitHub Enterprise's).
  std::string issuer;
  // Endpoints that override discovery (or GitHub's defaults); "" = discovered / default.
  std::string authorization_endpoint;
  std::string token_endpoint;
  std::string userinfo_endpoint;  // GitHub: the API base, https://api.github.com
  std::string jwks_uri;
  std::string scopes;              // space separated; "" = the connector's default
  std::string claim_mapping_json = "{}";  // OpenID: {"email":"mail","username":"upn",…}
  bool allow_signup = true;        // create the user on a first sign-in (else sign-in only)
  bool trust_email = false;        // an upstream-verified email counts as verified here
  UnixMillis created_at = 0;
  UnixMillis updated_at = 0;
};

// An upstream identity linked to a user: (app, provider, upstream subject) is one user, and a
// user has at most one identity per provider.
struct LinkedIdentity {
  std::string id;
  std::string app_id;
  std::string user_id;
  std::string provider_id;
  std::string subject;   // the upstream's stable subject (OpenID `sub`, GitHub's numeric id)
  std::string email;     // as the upstream last said (display only; never a key)
  std::string username;  // the upstream login as last seen (display only)
  UnixMillis created_at = 0;
  UnixMillis last_used_at = 0;
};

// What a ticket carries across a redirect. Each is single use and short-lived.
enum class FederationTicketKind {
  kLogin,        // browser → provider → callback: state, nonce, PKCE verifier, where to go
  kPendingLink,  // an upstream identity waiting for proof that the person owns an account
  kApiCode,      // the API flow's one-time code, which the app's backend exchanges (60 s)
  kMailedProof,  // a link mailed to the account's address: proof that its owner links
};
inline constexpr EnumText<FederationTicketKind> kFederationTicketKindTexts[] = {
    {FederationTicketKind::kLogin, "login"},
    {FederationTicketKind::kPendingLink, "pending_link"},
    {FederationTicketKind::kApiCode, "api_code"},
    {FederationTicketKind::kMailedProof, "mailed_proof"}};
constexpr std::span<const EnumText<FederationTicketKind>> TextsOf(FederationTicketKind) {
  return kFederationTicketKindTexts;
}

// A single-use ticket, found by the SHA-256 of the value its holder presents (the `state`
// sent upstream, a pending link's id, the one-time code). `payload_json` is the kind's own
// data, which the federation service writes and reads.
struct FederationTicket {
  std::string hash;  // hex SHA-256 of the presented value
  std::string app_id;
  FederationTicketKind kind = FederationTicketKind::kLogin;
  std::string payload_json = "{}";
  UnixMillis created_at = 0;
  UnixMillis expires_at = 0;
  std::optional<UnixMillis> used_at;
};

}  // namespace tessera::store
