// File: connector.h
// How Tessera talks to one upstream identity provider (Dex's connectors are the model): the
// URL that sends a browser there for one sign-in, and the callback's handling, which returns
// who signed in. Made per provider from its record (MakeConnector); the federation service
// keeps the per-login values (state, nonce, PKCE verifier) in a single-use ticket.
//
// Connectors make blocking HTTP calls (OutboundHttp): callers run them on worker threads.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/result.h"
#include "federation/federation_records.h"
#include "outbound/outbound_http.h"

namespace tessera::services {

// Who the provider says signed in. `subject` is stable for the person at that provider (never
// a renameable login); the rest may change between sign-ins.
struct UpstreamIdentity {
  std::string subject;
  std::string email;            // "" when the provider gave none usable
  bool email_verified = false;  // the provider vouches for `email`
  std::string name;
  std::string picture;
  std::string username;         // the upstream login / preferred_username, for display
};

// The values of one sign-in, made fresh by the federation service for each.
struct UpstreamLogin {
  std::string state;          // opaque, random; sent upstream and back
  std::string nonce;          // OpenID: must come back inside the ID token
  std::string code_verifier;  // PKCE (RFC 7636): its S256 challenge goes upstream
  std::string redirect_uri;   // Tessera's callback URL for this provider
};

// The callback's query parameters, as the browser brought them.
struct UpstreamCallback {
  std::string code;
  std::string state;
  std::string iss;                // RFC 9207, when the provider sends it
  std::string error;              // e.g. access_denied
  std::string error_description;
};

class Connector {
 public:
  virtual ~Connector() = default;
  // The provider's authorization URL for this sign-in. May fetch (and cache) the provider's
  // discovery document: kUnavailable when it cannot.
  virtual Result<std::string> LoginUrl(const UpstreamLogin& login) = 0;
  // Redeems the callback's code and returns who signed in, after every check the protocol
  // asks for. The caller has already matched `callback.state` to `login`. Errors:
  //   kPermissionDenied  the person declined at the provider (error=access_denied …)
  //   kUnauthenticated   the answer is not to be trusted (ID token signature, issuer,
  //                      audience, expiry, nonce; a wrong `iss`; the code refused)
  //   kUnavailable       the provider did not answer usably (down, timeout, 5xx, not JSON)
  //   kFailedPrecondition the provider's record is unusable (no issuer, a bad claim mapping):
  //                      an operator's fix, not the person's (LoginUrl too)
  // The message says what, for the log and the page; it never holds a secret or a token.
  virtual Result<UpstreamIdentity> Finish(const UpstreamLogin& login,
                                          const UpstreamCallback& callback) = 0;
};

class ProviderMetadataCache;  // federation/provider_metadata_cache.h

// The connector for `provider`, with its unsealed client secret ("" for a public client).
// `http` and `metadata` must outlive it; it keeps a copy of the record.
std::unique_ptr<Connector> MakeConnector(const store::IdentityProvider& provider,
                                         std::string client_secret, OutboundHttp& http,
                                         ProviderMetadataCache& metadata, const Clock& clock);

// What a connector uses where the record leaves a field empty: for the forms and the button.
struct ConnectorDefaults {
  std::string issuer;        // OpenID: the issuer; GitHub: the web base; "" = must be set
  std::string api_base;      // GitHub: the API base (record.userinfo_endpoint); else ""
  std::string scopes;        // space separated
  std::string display_name;  // "" = must be set
};
ConnectorDefaults DefaultsOf(store::ProviderKind kind);

// The OpenID connectors read each identity field from a claim: email ← "email",
// email_verified ← "email_verified", name ← "name", picture ← "picture", username ←
// "preferred_username". A provider's `claim_mapping_json` renames some, e.g.
// {"email":"mail","username":"upn","name":"display_name"}: a JSON object whose members are
// among those five fields, each naming a claim (1–64 printable ASCII characters).
// kInvalidArgument saying what is wrong; for the service to check a record before saving it
// (a connector given a bad mapping refuses every sign-in with kFailedPrecondition).
Status CheckClaimMapping(std::string_view claim_mapping_json);

}  // namespace tessera::services
