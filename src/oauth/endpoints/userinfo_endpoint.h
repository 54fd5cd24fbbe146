// File: userinfo_endpoint.h
// GET/POST {issuer}/oauth/userinfo (OIDC Core §5.3): the claims the access token's scopes
// release, for a token of a live grant. Bearer token in the Authorization header, or in a
// POSTed form (RFC 6750 §2.2). Errors are RFC 6750 §3 challenges.
#pragma once

#include "http/router.h"
#include "tenancy/app_service.h"
#include "oauth/oauth_token_service.h"

namespace tessera::oauth {

class UserInfoEndpoint {
 public:
  UserInfoEndpoint(services::AppService& apps, services::OAuthTokenService& tokens)
      : apps_(apps), tokens_(tokens) {}
  void Mount(http::Router& router);

 private:
  http::Response Handle(http::Request& req);
  services::AppService& apps_;
  services::OAuthTokenService& tokens_;
};

}  // namespace tessera::oauth
