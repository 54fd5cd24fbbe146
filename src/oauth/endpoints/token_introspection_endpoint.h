// File: token_introspection_endpoint.h
// POST {issuer}/oauth/introspect (RFC 7662) and POST {issuer}/oauth/revoke (RFC 7009).
// Introspection is for resource servers: only authenticated (confidential) clients of the
// app may ask, about any token of the app. Revocation: a client revokes its own tokens;
// the answer is 200 whatever the token was (§2.2), so it tells nothing about other tokens.
#pragma once

#include "http/router.h"
#include "tenancy/app_service.h"
#include "oauth/client_service.h"
#include "oauth/oauth_token_service.h"

namespace tessera::oauth {

class TokenIntrospectionEndpoints {
 public:
  TokenIntrospectionEndpoints(services::AppService& apps, services::ClientService& clients,
                              services::OAuthTokenService& tokens)
      : apps_(apps), clients_(clients), tokens_(tokens) {}
  void Mount(http::Router& router);

 private:
  http::Response Introspect(http::Request& req);
  http::Response Revoke(http::Request& req);

  services::AppService& apps_;
  services::ClientService& clients_;
  services::OAuthTokenService& tokens_;
};

}  // namespace tessera::oauth
