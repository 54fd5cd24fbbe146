#include "oauth/verified_redirect.h"

#include <boost/url/parse.hpp>

#include <algorithm>

#include "base/uri_rules.h"

namespace tessera::services {

OAuthResult<VerifiedRedirect> VerifyRedirectUri(const store::OAuthClient& client,
                                                const std::optional<std::string>& requested,
                                                RedirectUriRule rule) {
  const std::vector<std::string>& registered = client.redirect_uris;
  if (!requested && rule == RedirectUriRule::kOpenId) {
    return OAuthError(kInvalidRequest,
                      "The request has no redirect_uri; OpenID Connect requests must name one.");
  }
  if (!requested) {
    // OAuth allows omitting it when exactly one is registered.
    if (registered.size() != 1) return OAuthError(kInvalidRequest, "The request has no redirect_uri.");
    return VerifiedRedirect(registered[0], /*named_in_request=*/false);
  }
  bool known = std::any_of(registered.begin(), registered.end(), [&](const std::string& r) {
    return RedirectUriMatches(r, *requested);
  });
  if (!known) {
    return OAuthError(kInvalidRequest, "The redirect_uri is not registered for this application.");
  }
  // Answered where it asked: a loopback URI keeps the port it came with.
  return VerifiedRedirect(*requested, /*named_in_request=*/true);
}

bool RedirectUriMatches(std::string_view registered, std::string_view presented) {
  if (registered == presented) return true;
  auto r = boost::urls::parse_absolute_uri(registered);
  auto p = boost::urls::parse_absolute_uri(presented);
  if (!r || !p || r->scheme() != "http" || p->scheme() != "http") return false;
  if (!IsLoopbackHost(r->encoded_host()) || r->encoded_host() != p->encoded_host()) return false;
  return r->encoded_path() == p->encoded_path() && r->encoded_query() == p->encoded_query() &&
         r->has_query() == p->has_query() && !p->has_fragment() && !p->has_userinfo();
}

}  // namespace tessera::services
