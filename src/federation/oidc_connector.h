// File: oidc_connector.h
// The OpenID Connect connector (authorization code flow with PKCE, OpenID Connect Core 1.0
// §3.1): any OpenID provider from its issuer's discovery document, and Google as a preset of
// it. Made through MakeConnector (connector.h).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "federation/connector.h"
#include "federation/provider_metadata_cache.h"

namespace tessera::services {

// What a preset fills in where the record is empty, and the issuer spellings it also accepts
// in an ID token's `iss` (Google's documents name https://accounts.google.com, yet its tokens
// may say accounts.google.com).
struct OidcPreset {
  ConnectorDefaults defaults;
  std::vector<std::string> other_token_issuers;
};

OidcPreset GenericOidcPreset();
OidcPreset GooglePreset();

std::unique_ptr<Connector> MakeOidcConnector(const store::IdentityProvider& provider,
                                             std::string client_secret, OutboundHttp& http,
                                             ProviderMetadataCache& metadata, const Clock& clock,
                                             OidcPreset preset);

}  // namespace tessera::services
