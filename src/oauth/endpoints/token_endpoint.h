// File: token_endpoint.h
// POST {issuer}/oauth/token (RFC 6749 §3.2): a thin dispatcher. (1) Read the form strictly,
// (2) authenticate the client — client_secret_basic or client_secret_post, exactly one
// (§2.3) — or identify a public client, (3) pick the grant for grant_type that the client
// may use (services::GrantTypes), (4) run it, (5) write the tokens or the §5.2 error, with
// no-store. The grants are the domain's (oauth/grant.h): authorization_code (§4.1.3, PKCE
// RFC 7636), refresh_token (§6, rotating), client_credentials (§4.4). No implicit, no
// password grant (RFC 9700). With the app's `dpop` on, a DPoP proof (RFC 9449) between (2)
// and (3) names the key the tokens are bound to (token_type DPoP); with `dpop_nonce`, every
// answer carries the current DPoP-Nonce.
#pragma once

#include "http/router.h"
#include "oauth/client_service.h"
#include "oauth/endpoints/client_authentication.h"
#include "oauth/endpoints/oauth_error.h"
#include "oauth/grant_types.h"
#include "tenancy/app_service.h"
#include "tokens/dpop_proof_service.h"

namespace tessera::oauth {

class TokenEndpoint {
 public:
  TokenEndpoint(services::AppService& apps, services::ClientService& clients,
                const services::GrantTypes& grants, services::DpopProofService& dpop)
      : apps_(apps), clients_(clients), grants_(grants), dpop_(dpop) {}
  void Mount(http::Router& router);

 private:
  http::Response Handle(http::Request& req);
  http::Response Answer(http::Request& req, const store::App& app);

  services::AppService& apps_;
  services::ClientService& clients_;
  const services::GrantTypes& grants_;
  services::DpopProofService& dpop_;
};

}  // namespace tessera::oauth
