// File: tessera_app.h
// The composition root: builds the store, every service and handler from a Config, and is
// the only place routes are mounted (Dex's server.go mount()). No service locator: every
// dependency is passed by reference here, in the order of construction.
#pragma once

#include <memory>
#include <thread>

#include "api/account_api.h"
#include "api/console_api.h"
#include "api/server_api.h"
#include "tenancy/app_api_key_service.h"
#include "tenancy/developer_console_service.h"
#include "management/user_management_service.h"
#include "web/console_pages.h"
#include "api/system_api.h"
#include "app/access_log.h"
#include "app/config.h"
#include "base/clock.h"
#include "base/metrics.h"
#include "http/server.h"
#include "mail/mail_transport.h"
#include "mail/mail_worker.h"
#include "accounts/account_service.h"
#include "tokens/api_token_service.h"
#include "tenancy/app_service.h"
#include "audit/audit_log.h"
#include "tokens/authenticator.h"
#include "oauth/client_service.h"
#include "oauth/endpoints/authorize_endpoint.h"
#include "oauth/endpoints/discovery_endpoint.h"
#include "oauth/endpoints/end_session_endpoint.h"
#include "oauth/endpoints/token_endpoint.h"
#include "oauth/endpoints/token_introspection_endpoint.h"
#include "oauth/endpoints/userinfo_endpoint.h"
#include "oauth/authorization_service.h"
#include "sessions/browser_session_service.h"
#include "accounts/login_throttle.h"
#include "oauth/oauth_grant_service.h"
#include "web/account_pages.h"
#include "web/login_pages.h"
#include "web/page_renderer.h"
#include "web/web_context.h"
#include "tokens/key_service.h"
#include "email_flows/mailer.h"
#include "api/email_api.h"
#include "email_flows/email_token_service.h"
#include "email_flows/email_verification_service.h"
#include "email_flows/mail_rate_limiter.h"
#include "email_flows/password_reset_service.h"
#include "email_flows/passwordless_service.h"
#include "web/email_pages.h"
#include "accounts/password_hasher.h"
#include "tokens/token_store.h"
#include "store/store.h"

namespace tessera::app {

// Opens the configured database (creating the data dir for SQLite) and migrates it.
Result<std::unique_ptr<store::Store>> OpenConfiguredStore(const DatabaseConfig& db);
// Loads (or creates) the signing keys under the configured master key.
Result<std::unique_ptr<services::KeyService>> OpenKeys(const DatabaseConfig& db,
                                                       store::KeyStore& store, const Clock& clock,
                                                       crypto::JwsAlg alg);
// Password-hashing settings from the config (shared by `serve` and `admin create-user`).
services::PasswordHasherOptions HasherOptions(const Config& config);
services::AccountOptions AccountOptionsFrom(const Config& config);

class TesseraApp {
 public:
  static Result<std::unique_ptr<TesseraApp>> Build(const Config& config);
  ~TesseraApp();

  Result<uint16_t> Listen() { return server_->Listen(); }
  void Run();  // serves until SIGTERM/SIGINT

  // For the CLI's admin commands, which reuse the services without serving.
  store::Store& store() { return *store_; }
  services::AppService& apps() { return *apps_; }
  services::AccountService& accounts() { return *accounts_; }
  services::KeyService& keys() { return *keys_; }
  services::ClientService& clients() { return *clients_; }
  services::AuditLog& audit() { return *audit_; }
  services::AppApiKeyService& app_api_keys() { return *app_api_keys_; }
  // Queues mail (sent by the worker that Run() starts; the CLI only queues).
  services::Mailer& mailer() { return *mailer_; }
  // Every route mounted (the OpenAPI coverage test compares them with src/api/openapi.json).
  const http::Router& router() const { return *router_; }

 private:
  explicit TesseraApp(const Config& config) : config_(config) {}
  void CollectGarbageEvery(std::stop_token stop, std::chrono::minutes period);
  Status BuildMail();
  void BuildEmailFlows();  // tokens, limits, verification, reset, passwordless; API and pages
  Status BuildConsole();   // API keys, user management, the server API, the consoles

  Config config_;
  SystemClock clock_;
  Metrics metrics_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<services::AuditLog> audit_;  // before the services that record into it
  // Mail: declared right after the store, so the worker stops before what it uses goes.
  std::unique_ptr<mail::MailTransport> mail_transport_;
  std::unique_ptr<mail::MailWorker> mail_worker_;
  std::unique_ptr<services::Mailer> mailer_;
  std::unique_ptr<services::EmailTokenService> email_tokens_;
  std::unique_ptr<services::MailRateLimiter> mail_limiter_;
  std::unique_ptr<services::EmailVerificationService> verification_;
  std::unique_ptr<services::PasswordResetService> resets_;
  std::unique_ptr<services::PasswordlessService> passwordless_;
  std::unique_ptr<api::EmailApi> email_api_;
  std::unique_ptr<web::EmailPages> email_pages_;
  std::unique_ptr<services::KeyService> keys_;
  std::unique_ptr<services::AppService> apps_;
  std::unique_ptr<services::PasswordHasher> hasher_;
  std::unique_ptr<services::AccessTokenService> access_tokens_;
  std::unique_ptr<services::AccountService> accounts_;
  std::unique_ptr<services::ApiTokenService> api_tokens_;
  std::unique_ptr<services::Authenticator> authenticator_;
  std::unique_ptr<services::ClientService> clients_;
  std::unique_ptr<services::LoginThrottle> throttle_;
  std::unique_ptr<services::BrowserSessionService> browser_sessions_;
  std::unique_ptr<services::AuthorizationService> authorization_;
  std::unique_ptr<services::OAuthGrantService> grants_;
  std::unique_ptr<web::PageRenderer> pages_;
  std::unique_ptr<web::WebContext> web_;
  std::unique_ptr<web::LoginPages> login_pages_;
  std::unique_ptr<web::AccountPages> account_pages_;
  std::unique_ptr<oauth::TokenEndpoint> token_endpoint_;
  std::unique_ptr<oauth::AuthorizeEndpoint> authorize_endpoint_;
  std::unique_ptr<oauth::UserInfoEndpoint> userinfo_endpoint_;
  std::unique_ptr<oauth::TokenIntrospectionEndpoints> introspection_endpoints_;
  std::unique_ptr<oauth::DiscoveryEndpoint> discovery_endpoint_;
  std::unique_ptr<oauth::EndSessionEndpoint> end_session_endpoint_;
  std::unique_ptr<api::AccountApi> account_api_;
  std::unique_ptr<api::SystemApi> system_api_;
  std::unique_ptr<services::DeveloperConsoleService> console_;
  std::unique_ptr<services::AppApiKeyService> app_api_keys_;
  std::unique_ptr<services::UserManagementService> user_management_;
  std::unique_ptr<api::ServerApi> server_api_;
  std::unique_ptr<api::ConsoleApi> console_api_;
  std::unique_ptr<web::ConsolePages> console_pages_;
  std::unique_ptr<http::Router> router_;
  std::unique_ptr<AccessLog> access_log_;
  std::unique_ptr<http::Server> server_;
  std::jthread maintenance_;
};

}  // namespace tessera::app
