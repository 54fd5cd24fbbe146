// File: device_authorization_endpoint.h
// POST {issuer}/oauth/device_authorization (RFC 8628 §3.1–3.2): a thin handler. Read the form
// strictly, authenticate the client as the token endpoint does (or identify a public one),
// start the authorization (services::DeviceAuthorizationService), and answer its codes and
// where the user enters them — verification_uri {issuer}/device, and _complete with the code
// in it — with no-store. The device then polls the token endpoint (device_code_grant.h).
#pragma once

#include "http/router.h"
#include "oauth/client_service.h"
#include "oauth/device_authorization_service.h"
#include "tenancy/app_service.h"

namespace tessera::oauth {

class DeviceAuthorizationEndpoint {
 public:
  DeviceAuthorizationEndpoint(services::AppService& apps, services::ClientService& clients,
                              services::DeviceAuthorizationService& devices)
      : apps_(apps), clients_(clients), devices_(devices) {}
  void Mount(http::Router& router);

 private:
  http::Response Handle(http::Request& req);

  services::AppService& apps_;
  services::ClientService& clients_;
  services::DeviceAuthorizationService& devices_;
};

}  // namespace tessera::oauth
