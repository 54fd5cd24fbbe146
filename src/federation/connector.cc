#include "federation/connector.h"

#include "federation/github_connector.h"
#include "federation/oidc_connector.h"

namespace tessera::services {

std::unique_ptr<Connector> MakeConnector(const store::IdentityProvider& provider,
                                         std::string client_secret, OutboundHttp& http,
                                         ProviderMetadataCache& metadata, const Clock& clock) {
  switch (provider.kind) {
    case store::ProviderKind::kGithub:
      return MakeGithubConnector(provider, std::move(client_secret), http);
    case store::ProviderKind::kGoogle:
      return MakeOidcConnector(provider, std::move(client_secret), http, metadata, clock,
                               GooglePreset());
    case store::ProviderKind::kOidc:
      break;
  }
  return MakeOidcConnector(provider, std::move(client_secret), http, metadata, clock,
                           GenericOidcPreset());
}

ConnectorDefaults DefaultsOf(store::ProviderKind kind) {
  switch (kind) {
    case store::ProviderKind::kGithub:
      return {std::string(kGithubWebBase), std::string(kGithubApiBase),
              std::string(kGithubDefaultScopes), "GitHub"};
    case store::ProviderKind::kGoogle:
      return GooglePreset().defaults;
    case store::ProviderKind::kOidc:
      break;
  }
  return GenericOidcPreset().defaults;
}

}  // namespace tessera::services
