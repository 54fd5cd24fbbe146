#include "oauth/grant_types.h"

#include "base/strings.h"

namespace tessera::services {

OAuthResult<Grant*> GrantTypes::For(const store::OAuthClient& client,
                                    std::string_view grant_type) const {
  for (Grant* grant : grants_) {
    if (grant->type() != grant_type) continue;
    if (!Contains(client.grant_types, grant_type)) {
      return OAuthError(kUnauthorizedClient,
                        StrCat({"this client may not use the ", grant_type, " grant"}));
    }
    return grant;
  }
  return OAuthError(kUnsupportedGrantType, StrCat({"unsupported grant_type: ", grant_type}));
}

std::vector<std::string_view> GrantTypes::Names() const {
  std::vector<std::string_view> names;
  for (const Grant* g : grants_) names.push_back(g->type());
  return names;
}

}  // namespace tessera::services
