// File: console_providers_api.h
// The console API's upstream sign-in providers of an app (GitHub, Google, any OpenID
// provider), under /api/console/apps/{slug}/identity-providers: list, add, read, change,
// delete. The client secret is write-only: answers say only whether one is set. Each answer
// carries the callback URL to register with the provider.
#pragma once

#include "api/console_caller.h"
#include "federation/identity_provider_service.h"
#include "http/router.h"
#include "tenancy/app_service.h"

namespace tessera::api {

class ConsoleProvidersApi {
 public:
  ConsoleProvidersApi(const ConsoleCaller& caller, services::IdentityProviderService& providers,
                      services::AppService& apps)
      : caller_(caller), providers_(providers), apps_(apps) {}
  void Mount(http::Router& router);

 private:
  http::Response List(http::Request& req);
  http::Response Add(http::Request& req);
  http::Response Get(http::Request& req);
  http::Response Patch(http::Request& req);
  http::Response Delete(http::Request& req);

  const ConsoleCaller& caller_;
  services::IdentityProviderService& providers_;
  services::AppService& apps_;
};

// A provider as the APIs show it: everything but the secret (`has_client_secret` instead),
// and `callback_url`, the redirect URI to register upstream.
boost::json::object IdentityProviderView(const store::IdentityProvider& p,
                                         std::string_view app_issuer);

}  // namespace tessera::api
