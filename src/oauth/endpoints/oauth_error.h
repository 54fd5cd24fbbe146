// File: oauth_error.h
// Writing the protocol's errors (services::OAuthError, oauth/oauth_error.h) as RFC 6749 §5.2
// says: a JSON body {error, error_description}, status 400 — or 401 for invalid_client, with
// a WWW-Authenticate challenge for the scheme we offer; 500 for server_error, 503 (with
// Retry-After) for temporarily_unavailable.
#pragma once

#include "http/message.h"
#include "oauth/oauth_error.h"

namespace tessera::oauth {

// The endpoints speak the domain's error values.
using services::OAuthError;
using services::kInvalidClient;
using services::kInvalidRequest;
using services::kServerError;
using services::kTemporarilyUnavailable;

http::Response WriteOAuthError(const OAuthError& e);
// Token responses must not be cached (RFC 6749 §5.1).
void SetNoStore(http::Response& r);

}  // namespace tessera::oauth
