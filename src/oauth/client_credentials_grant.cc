#include "oauth/client_credentials_grant.h"

#include <set>
#include <string>

#include "oauth/oidc_claims.h"
#include "tokens/access_token_service.h"

namespace tessera::services {
namespace {

// The client's registered scopes but those that describe a user: there is none here.
std::set<std::string> ScopesWithoutUser(const store::OAuthClient& client) {
  std::set<std::string> allowed(client.scopes.begin(), client.scopes.end());
  for (auto s : kOidcScopes) allowed.erase(std::string(s));
  allowed.erase(std::string(kAccountScope));
  return allowed;
}

}  // namespace

OAuthResult<GrantedTokens> ClientCredentialsGrant::Issue(const GrantRequest& request) {
  std::set<std::string> allowed = ScopesWithoutUser(request.client);
  std::vector<std::string> requested = SplitScopes(request.Param("scope"));
  if (requested.empty()) requested.assign(allowed.begin(), allowed.end());
  for (const auto& s : requested) {
    if (!allowed.contains(s)) return OAuthError(kInvalidScope, "scope not allowed: " + s);
  }
  // Sorted, for a stable answer whatever order they were asked in.
  std::set<std::string> granted(requested.begin(), requested.end());
  auto tokens = tokens_.ForClient(request.app, request.client,
                                  JoinScopes({granted.begin(), granted.end()}), request.dpop_jkt);
  if (!tokens.ok()) return OAuthError(kServerError);
  return std::move(*tokens);
}

}  // namespace tessera::services
