// File: bearer.h
// RFC 6750 glue for an HTTP API: reading `Authorization: Bearer …` and answering with
// `WWW-Authenticate`.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "tessera/resource_server/access_token_verifier.h"

namespace tessera::resource_server {

// The token of an `Authorization` header value "Bearer <token>" (scheme in any case, RFC 6750
// §2.1 token68 characters), or nullopt for anything else (another scheme, empty, spaces
// inside the token).
std::optional<std::string_view> BearerToken(std::string_view authorization);

// The WWW-Authenticate value for a refused request (RFC 6750 §3):
//   no token:           Bearer realm="…"
//   a refused token:    Bearer realm="…", error="invalid_token", error_description="…"
//   a missing scope:    Bearer realm="…", error="insufficient_scope", scope="…"
// Quotes and backslashes of the description are dropped.
std::string WwwAuthenticate(std::string_view realm, const VerifyError* error = nullptr);
std::string WwwAuthenticateInsufficientScope(std::string_view realm, std::string_view scope);

}  // namespace tessera::resource_server
