// File: console_credential_pages.h
// The developer console's credentials pages of an app: its API keys (the secret shown once,
// on the answer to the form that made it) and its OAuth clients (register, edit, rotate the
// secret, revoke).
#pragma once

#include "http/router.h"
#include "oauth/client_service.h"
#include "tenancy/app_api_key_service.h"
#include "web/console_gates.h"
#include "web/console_layout.h"

namespace tessera::web {

class ConsoleCredentialPages {
 public:
  ConsoleCredentialPages(const ConsoleLayout& layout, services::AppApiKeyService& keys,
                         services::ClientService& clients)
      : layout_(layout), keys_(keys), clients_(clients) {}
  void Mount(http::Router& router, const ConsoleGates& gates);

 private:
  using Form = http::FormParams;

  http::Response ApiKeys(http::Request& req, const AppVisitor& a);
  http::Response CreateApiKey(http::Request& req, const AppVisitor& a, const Form& form);
  http::Response RevokeApiKey(http::Request& req, const AppVisitor& a, const Form& form);
  http::Response RenderApiKeys(const http::Request& req, const AppVisitor& a, PageData d,
                               unsigned status);
  http::Response Clients(http::Request& req, const AppVisitor& a);
  http::Response CreateClient(http::Request& req, const AppVisitor& a, const Form& form);
  http::Response RenderClients(const http::Request& req, const AppVisitor& a, PageData d,
                               unsigned status);
  http::Response ShowClient(http::Request& req, const AppVisitor& a);
  http::Response UpdateClient(http::Request& req, const AppVisitor& a, const Form& form);
  http::Response RotateClientSecret(http::Request& req, const AppVisitor& a, const Form& form);
  http::Response RevokeClient(http::Request& req, const AppVisitor& a, const Form& form);
  http::Response RenderClient(const http::Request& req, const AppVisitor& a,
                              const store::OAuthClient& client, PageData d, unsigned status);

  const ConsoleLayout& layout_;
  services::AppApiKeyService& keys_;
  services::ClientService& clients_;
};

}  // namespace tessera::web
