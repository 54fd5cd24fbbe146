// File: console_credentials_api.h
// The console API's credentials of an app, under /api/console/apps/{slug}: its API keys
// (the key shown once, in the answer that made it) and its OAuth clients (register, read,
// change, revoke, rotate the secret).
#pragma once

#include "api/console_caller.h"
#include "http/router.h"
#include "oauth/client_service.h"
#include "tenancy/app_api_key_service.h"

namespace tessera::api {

class ConsoleCredentialsApi {
 public:
  ConsoleCredentialsApi(const ConsoleCaller& caller, services::AppApiKeyService& keys,
                        services::ClientService& clients)
      : caller_(caller), keys_(keys), clients_(clients) {}
  void Mount(http::Router& router);

 private:
  http::Response ListApiKeys(http::Request& req);
  http::Response CreateApiKey(http::Request& req);
  http::Response RevokeApiKey(http::Request& req);
  http::Response ListClients(http::Request& req);
  http::Response CreateClient(http::Request& req);
  http::Response GetClient(http::Request& req);
  http::Response PatchClient(http::Request& req);
  http::Response RevokeClient(http::Request& req);
  http::Response RotateClientSecret(http::Request& req);

  const ConsoleCaller& caller_;
  services::AppApiKeyService& keys_;
  services::ClientService& clients_;
};

}  // namespace tessera::api
