// File: client_registration_endpoint.h
// Dynamic client registration over HTTP, thin handlers over
// services::DynamicClientRegistration:
//   POST   {issuer}/oauth/register              RFC 7591 §3 (Bearer: an initial access token)
//   GET    {issuer}/oauth/register/{client_id}  RFC 7592 §2.1 (Bearer: the registration access
//   PUT    {issuer}/oauth/register/{client_id}  RFC 7592 §2.2  token the registration gave)
//   DELETE {issuer}/oauth/register/{client_id}  RFC 7592 §2.3
// Bodies are one JSON object (application/json). Answers are no-store JSON: the client's
// metadata with registration_client_uri and registration_access_token (and client_secret at
// registration); errors are RFC 7591 §3.2.2 objects, 401 with a Bearer challenge for a bad
// token.
#pragma once

#include "http/router.h"
#include "oauth/dynamic_client_registration.h"
#include "tenancy/app_service.h"

namespace tessera::oauth {

class ClientRegistrationEndpoint {
 public:
  ClientRegistrationEndpoint(services::AppService& apps,
                             services::DynamicClientRegistration& registration)
      : apps_(apps), registration_(registration) {}
  void Mount(http::Router& router);

 private:
  http::Response Register(http::Request& req);
  http::Response Manage(http::Request& req);

  services::AppService& apps_;
  services::DynamicClientRegistration& registration_;
};

}  // namespace tessera::oauth
