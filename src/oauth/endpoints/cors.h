// File: cors.h
// Browser apps (public clients using PKCE) call the token, userinfo and revocation endpoints
// and read discovery and the JWKS from another origin. These endpoints use no cookies, so
// any origin may call them: `Access-Control-Allow-Origin: *` without credentials.
#pragma once

#include <string>

#include "http/router.h"

namespace tessera::oauth {

void AllowAnyOrigin(http::Response& response);
// Answers the preflight (OPTIONS) of `pattern`.
void MountPreflight(http::Router& router, const std::string& pattern);

}  // namespace tessera::oauth
