// File: userinfo_endpoint.h
// GET/POST {issuer}/oauth/userinfo (OIDC Core §5.3): the claims the access token's scopes
// release, for a token of a live grant. Bearer token in the Authorization header, or in a
// POSTed form (RFC 6750 §2.2); with the app's `dpop` on, also a DPoP-bound token under the
// DPoP scheme with its proof (RFC 9449 §7). Errors are RFC 6750 §3 / RFC 9449 §7.1 challenges.
#pragma once

#include "http/router.h"
#include "tenancy/app_service.h"
#include "oauth/oauth_token_service.h"

namespace tessera::oauth {

class UserInfoEndpoint {
 public:
  UserInfoEndpoint(services::AppService& apps, services::OAuthTokenService& tokens,
                   services::DpopProofService* dpop = nullptr)
      : apps_(apps), tokens_(tokens), dpop_(dpop) {}
  void Mount(http::Router& router);

 private:
  http::Response Handle(http::Request& req);
  http::Response Answer(http::Request& req, const store::App& app);
  services::AppService& apps_;
  services::OAuthTokenService& tokens_;
  services::DpopProofService* dpop_;  // may be null: DPoP is then never offered
};

}  // namespace tessera::oauth
