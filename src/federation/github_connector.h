// File: github_connector.h
// The GitHub connector: OAuth 2.0 (GitHub is no OpenID provider) with PKCE, then who signed
// in from the REST API (/user, /user/emails). Works with GitHub Enterprise Server too: the
// record's issuer is the web base and its userinfo_endpoint the API base. Made through
// MakeConnector (connector.h).
#pragma once

#include <memory>
#include <string>

#include "federation/connector.h"

namespace tessera::services {

inline constexpr std::string_view kGithubWebBase = "https://github.com";
inline constexpr std::string_view kGithubApiBase = "https://api.github.com";
inline constexpr std::string_view kGithubDefaultScopes = "read:user user:email";

std::unique_ptr<Connector> MakeGithubConnector(const store::IdentityProvider& provider,
                                               std::string client_secret, OutboundHttp& http);

}  // namespace tessera::services
