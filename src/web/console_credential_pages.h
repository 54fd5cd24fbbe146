// File: console_credential_pages.h
// The developer console's credentials pages of an app: its API keys, its OAuth clients
// (register, edit, rotate the secret once confirmed, revoke) and, on the clients page, its
// registration tokens (RFC 7591 initial access tokens: make, revoke). Making a key, a client,
// a new secret or a registration token is POST/redirect/GET: the secret is shown once, on the
// page the redirect leads to (SecretReveals, a sealed cookie any node opens), so a reload never
// makes a second one nor shows the secret again.
#pragma once

#include "http/router.h"
#include "oauth/client_service.h"
#include "oauth/initial_access_token_service.h"
#include "tenancy/app_api_key_service.h"
#include "web/console_gates.h"
#include "web/console_layout.h"
#include "web/secret_reveals.h"

namespace tessera::web {

class ConsoleCredentialPages {
 public:
  // `master_key` seals the one-time reveals (SecretReveals), which any node can then open.
  ConsoleCredentialPages(const ConsoleLayout& layout, services::AppApiKeyService& keys,
                         services::ClientService& clients,
                         services::InitialAccessTokenService& registration_tokens,
                         std::string_view master_key, const Clock& clock)
      : layout_(layout),
        keys_(keys),
        clients_(clients),
        registration_tokens_(registration_tokens),
        clock_(clock),
        reveals_(master_key, clock, layout.urls().secure()) {}
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
  // Registration tokens: listed and made on the clients page.
  http::Response CreateRegistrationToken(http::Request& req, const AppVisitor& a,
                                         const Form& form);
  http::Response RevokeRegistrationToken(http::Request& req, const AppVisitor& a,
                                         const Form& form);

  // Who may see a parked secret: this browser session, on this app, for this object.
  static std::string RevealOwner(const AppVisitor& a, std::string_view kind,
                                 std::string_view id);
  // The redirect to `path` that shows `secret` there once.
  http::Response RedirectWithReveal(const AppVisitor& a, std::string_view kind,
                                    const std::string& id, std::string secret,
                                    const std::string& path, std::string_view done);

  const ConsoleLayout& layout_;
  services::AppApiKeyService& keys_;
  services::ClientService& clients_;
  services::InitialAccessTokenService& registration_tokens_;
  const Clock& clock_;  // which registration tokens have expired
  SecretReveals reveals_;
};

}  // namespace tessera::web
