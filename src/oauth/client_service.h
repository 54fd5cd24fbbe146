// File: client_service.h
// OAuth 2.0 clients of an app (RFC 6749 §2): registration with validated redirect URIs
// (exact strings; https, or http only on loopback, or a private-use scheme for native apps —
// RFC 8252 §7), allowed grants and scopes; confidential clients get a 256-bit secret shown
// once and stored as SHA-256; authentication compares in constant time.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "audit/audit_log.h"
#include "oauth/oauth_records.h"
#include "oauth/oauth_store.h"
#include "tenancy/tenancy_records.h"

namespace tessera::services {

inline constexpr std::string_view kClientSecretPrefix = "tcs_";

struct ClientRegistration {
  std::string name;
  bool is_public = false;
  bool first_party = false;
  std::vector<std::string> redirect_uris;
  std::vector<std::string> post_logout_redirect_uris;
  std::vector<std::string> grant_types;  // default: authorization_code, refresh_token
  std::vector<std::string> scopes;       // default with authorization_code: openid profile email offline_access
  std::optional<std::string> id_token_signed_response_alg;  // default RS256 (OIDC Registration)
  bool resource_server = false;
  bool require_pushed_authorization_requests = false;  // RFC 9126 §6
  // The audiences it may ask for in a token exchange (RFC 8693 §2.1); default: none.
  std::vector<std::string> token_exchange_audiences;
  bool dpop_bound_access_tokens = false;  // RFC 9449 §5.2
  std::string backchannel_logout_uri{};   // OIDC Back-Channel Logout §2.2; "" = none
  bool backchannel_logout_session_required = false;
  std::string jwks{};  // a JWK Set of public keys, JSON; "" = none (client_keys.h)
  bool require_signed_request_object = false;  // RFC 9101 §10.5
  bool pairwise_subject = false;  // OIDC Core §8.1 (the app must allow it: pairwise_subjects)
  // RFC 7592: the SHA-256 of the registration access token of a client registered at
  // {issuer}/oauth/register (dynamic_client_registration.h); "" for any other.
  std::string registration_access_token_hash{};
};

// A change of a registered client; unset members stay as they are. Whether it is public
// cannot change (a new client is needed).
struct ClientUpdate {
  std::optional<std::string> name;
  std::optional<bool> first_party;
  std::optional<std::vector<std::string>> redirect_uris;
  std::optional<std::vector<std::string>> post_logout_redirect_uris;
  std::optional<std::vector<std::string>> grant_types;
  std::optional<std::vector<std::string>> scopes;
  std::optional<std::string> id_token_signed_response_alg;
  std::optional<bool> resource_server;
  std::optional<bool> require_pushed_authorization_requests;
  std::optional<std::vector<std::string>> token_exchange_audiences;
  std::optional<bool> dpop_bound_access_tokens;
  std::optional<std::string> backchannel_logout_uri;  // "" removes it
  std::optional<bool> backchannel_logout_session_required;
  std::optional<std::string> jwks;  // "" removes them
  std::optional<bool> require_signed_request_object;
  std::optional<bool> pairwise_subject;
};

inline constexpr size_t kMaxClientsPerApp = 100;
inline constexpr size_t kMaxTokenExchangeAudiences = 20;  // per client

struct RegisteredClient {
  store::OAuthClient client;
  std::optional<std::string> secret;  // confidential clients only; never stored
};

class ClientService {
 public:
  // `id_token_algs`: the JWS algorithms the server signs ID tokens with (KeyService's).
  ClientService(store::ClientStore& store, const Clock& clock, AuditLog* audit = nullptr,
                std::vector<std::string> id_token_algs = {"RS256", "ES256"})
      : store_(store), clock_(clock), audit_(audit), id_token_algs_(std::move(id_token_algs)) {}

  Result<RegisteredClient> Register(const store::App& app, ClientRegistration registration,
                                    const Actor& actor = CliActor());
  Result<std::vector<store::OAuthClient>> List(const store::App& app);
  // The same checks as Register; kNotFound for an unknown or revoked client.
  Result<store::OAuthClient> Update(const store::App& app, std::string_view client_id,
                                    const ClientUpdate& update, const Actor& actor);
  // A new secret for a confidential client (the old one stops working at once); returned
  // once. kFailedPrecondition for a public client.
  Result<std::string> RotateSecret(const store::App& app, std::string_view client_id,
                                   const Actor& actor);
  // The client stops authenticating and authorizing at once, and its grants end: every access
  // and refresh token issued to it is inactive from then on (rotating the secret ends none).
  Status Revoke(const store::App& app, std::string_view client_id, const Actor& actor);
  // kUnauthenticated for an unknown client or a wrong secret (the same message for both).
  Result<store::OAuthClient> Authenticate(const store::App& app, std::string_view client_id,
                                          std::string_view secret);
  // Any live client of the app (authorization endpoint); kNotFound otherwise.
  Result<store::OAuthClient> Find(const store::App& app, std::string_view client_id);
  // A known public client (which has no secret); kUnauthenticated otherwise.
  Result<store::OAuthClient> FindPublic(const store::App& app, std::string_view client_id);

 private:
  store::ClientStore& store_;
  const Clock& clock_;
  AuditLog* audit_;  // may be null
  std::vector<std::string> id_token_algs_;
};

// The scopes a client registered without any may ask for, by its grants.
std::vector<std::string> DefaultScopesFor(const std::vector<std::string>& grant_types);
// Grants Tessera implements; no implicit and no password grant (RFC 9700 §2.1.2, §2.4).
bool IsSupportedGrant(std::string_view grant);
bool IsValidScopeToken(std::string_view scope);  // RFC 6749 §3.3: %x21 / %x23-5B / %x5D-7E
// An entry of a client's token_exchange_audiences: 1-255 characters of %x21-7E (printable
// ASCII, no spaces).
bool IsValidTokenExchangeAudience(std::string_view audience);

}  // namespace tessera::services
