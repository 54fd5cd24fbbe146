// File: pushed_authorization_endpoint.h
// POST {issuer}/oauth/par (RFC 9126 §2): a thin handler. Read the form strictly,
// authenticate the client as the token endpoint does (or identify a public one), and let
// services::AuthorizationService::Push validate the parameters as /authorize would and store
// them; answer 201 with the request_uri and its lifetime, or the OAuth error as JSON (never a
// redirect), with no-store. The client then sends the browser to /authorize with only
// client_id and request_uri.
#pragma once

#include "http/router.h"
#include "oauth/authorization_service.h"
#include "oauth/client_service.h"
#include "tenancy/app_service.h"
#include "tokens/dpop_proof_service.h"

namespace tessera::oauth {

class PushedAuthorizationEndpoint {
 public:
  PushedAuthorizationEndpoint(services::AppService& apps, services::ClientService& clients,
                              services::AuthorizationService& authz,
                              services::DpopProofService& dpop)
      : apps_(apps), clients_(clients), authz_(authz), dpop_(dpop) {}
  void Mount(http::Router& router);

 private:
  http::Response Handle(http::Request& req);

  services::AppService& apps_;
  services::ClientService& clients_;
  services::AuthorizationService& authz_;
  services::DpopProofService& dpop_;
};

}  // namespace tessera::oauth
