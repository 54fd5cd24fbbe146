// File: token_endpoint.h
// POST {issuer}/oauth/token (RFC 6749 §3.2). Shared phases, in this order, for every grant:
// (1) read the form strictly, (2) authenticate the client — client_secret_basic or
// client_secret_post, exactly one (§2.3) — or identify a public client, (3) check the grant
// is allowed to the client, (4) run the grant, (5) write the answer with no-store.
// Grants: authorization_code (§4.1.3, PKCE RFC 7636), refresh_token (§6, rotating),
// client_credentials (§4.4). No implicit, no password grant (RFC 9700).
#pragma once

#include "http/router.h"
#include "oauth/endpoints/client_authentication.h"
#include "oauth/endpoints/oauth_error.h"
#include "tokens/access_token_service.h"
#include "tenancy/app_service.h"
#include "oauth/client_service.h"
#include "oauth/oauth_grant_service.h"

namespace tessera::oauth {

class TokenEndpoint {
 public:
  TokenEndpoint(services::AppService& apps, services::ClientService& clients,
                services::AccessTokenService& access_tokens, services::OAuthGrantService& grants)
      : apps_(apps), clients_(clients), access_tokens_(access_tokens), grants_(grants) {}
  void Mount(http::Router& router);

 private:
  http::Response Handle(http::Request& req);
  http::Response ClientCredentials(const store::App& app, const store::OAuthClient& client,
                                   const FormRequest& token_req);

  services::AppService& apps_;
  services::ClientService& clients_;
  services::AccessTokenService& access_tokens_;
  services::OAuthGrantService& grants_;
};

// The §5.2 error for a grant service failure (see oauth_grant_service.h).
OAuthError GrantError(const Status& status);

}  // namespace tessera::oauth
