// File: discovery_endpoint.h
// GET {issuer}/.well-known/openid-configuration (OIDC Discovery §4, RFC 8414): what this
// provider really supports — every value here is backed by code and tests.
#pragma once

#include "http/router.h"
#include "tenancy/app_service.h"
#include "oauth/grant_types.h"
#include "tokens/key_service.h"

namespace tessera::oauth {

class DiscoveryEndpoint {
 public:
  DiscoveryEndpoint(services::AppService& apps, services::KeyService& keys,
                    const services::GrantTypes& grants)
      : apps_(apps), keys_(keys), grants_(grants) {}
  void Mount(http::Router& router);

 private:
  http::Response Handle(http::Request& req);
  services::AppService& apps_;
  services::KeyService& keys_;
  const services::GrantTypes& grants_;
};

}  // namespace tessera::oauth
