// File: oauth_error.h
// Protocol errors of the OAuth endpoints, with the RFC's code strings, written exactly as
// RFC 6749 §5.2 says: a JSON body {error, error_description}, status 400 — or 401 for
// invalid_client, with a WWW-Authenticate challenge for the scheme the client used.
#pragma once

#include <string>
#include <string_view>

#include "http/message.h"

namespace tessera::oauth {

inline constexpr std::string_view kInvalidRequest = "invalid_request";
inline constexpr std::string_view kInvalidClient = "invalid_client";
inline constexpr std::string_view kInvalidGrant = "invalid_grant";
inline constexpr std::string_view kUnauthorizedClient = "unauthorized_client";
inline constexpr std::string_view kUnsupportedGrantType = "unsupported_grant_type";
inline constexpr std::string_view kInvalidScope = "invalid_scope";
inline constexpr std::string_view kServerError = "server_error";
inline constexpr std::string_view kTemporarilyUnavailable = "temporarily_unavailable";

struct OAuthError {
  std::string error;
  std::string description;
  unsigned http_status = 400;
  bool basic_challenge = false;  // the client tried HTTP Basic: answer with its challenge
};

OAuthError MakeError(std::string_view code, std::string description);
http::Response WriteOAuthError(const OAuthError& e);
// Token responses must not be cached (RFC 6749 §5.1).
void SetNoStore(http::Response& r);

}  // namespace tessera::oauth
