#include "oauth/grant_types.h"

#include "base/strings.h"

namespace tessera::services {

OAuthResult<Grant*> GrantTypes::For(const store::App& app, const store::OAuthClient& client,
                                    std::string_view grant_type) const {
  for (Grant* grant : grants_) {
    if (grant->type() != grant_type || !grant->EnabledFor(app)) continue;
    if (!Contains(client.grant_types, grant_type)) {
      return OAuthError(kUnauthorizedClient,
                        StrCat({"this client may not use the ", grant_type, " grant"}));
    }
    return grant;
  }
  return OAuthError(kUnsupportedGrantType, StrCat({"unsupported grant_type: ", grant_type}));
}

std::vector<std::string_view> GrantTypes::Names(const store::App& app) const {
  std::vector<std::string_view> names;
  for (const Grant* g : grants_) {
    if (g->EnabledFor(app)) names.push_back(g->type());
  }
  return names;
}

}  // namespace tessera::services
