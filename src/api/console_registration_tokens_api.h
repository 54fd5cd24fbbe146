// File: console_registration_tokens_api.h
// The console API's initial access tokens of an app (RFC 7591 §3), under
// /api/console/apps/{slug}/registration-tokens: what a developer hands to software that
// registers its own OAuth clients at {issuer}/oauth/register. Listed by prefix, made (the
// token shown once, in the answer that made it, with the registration endpoint) and revoked,
// by the same callers and with the same rules as the app's API keys.
#pragma once

#include "api/console_caller.h"
#include "http/router.h"
#include "oauth/initial_access_token_service.h"
#include "tenancy/app_service.h"

namespace tessera::api {

class ConsoleRegistrationTokensApi {
 public:
  ConsoleRegistrationTokensApi(const ConsoleCaller& caller,
                               services::InitialAccessTokenService& tokens,
                               const services::AppService& apps)
      : caller_(caller), tokens_(tokens), apps_(apps) {}
  void Mount(http::Router& router);

 private:
  http::Response List(http::Request& req);
  http::Response Create(http::Request& req);
  http::Response Revoke(http::Request& req);

  const ConsoleCaller& caller_;
  services::InitialAccessTokenService& tokens_;
  const services::AppService& apps_;  // the issuer, for the registration endpoint
};

}  // namespace tessera::api
