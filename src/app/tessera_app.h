// File: tessera_app.h
// The composition root: builds the server from a Config — the store and the services
// (CoreServices, app/core_services.h), the mail worker, every handler — and is the only place
// routes are mounted (Dex's server.go mount()). No service locator: every dependency is
// passed by reference here, in the order of construction.
#pragma once

#include <memory>
#include <thread>

#include "api/account_api.h"
#include "api/mfa_api.h"
#include "web/mfa_pages.h"
#include "api/admin_api.h"
#include "api/console_apps_api.h"
#include "api/console_mail_domain_api.h"
#include "api/console_audit_api.h"
#include "api/console_caller.h"
#include "api/console_credentials_api.h"
#include "api/console_providers_api.h"
#include "api/console_webhooks_api.h"
#include "api/console_registration_tokens_api.h"
#include "api/console_members_api.h"
#include "api/console_users_api.h"
#include "api/server_api.h"
#include "tenancy/app_api_key_service.h"
#include "tenancy/developer_console_service.h"
#include "management/user_management_service.h"
#include "web/admin_pages.h"
#include "web/asset_routes.h"
#include "web/audit_table.h"
#include "web/console_app_pages.h"
#include "web/console_audit_pages.h"
#include "web/console_mail_domain_pages.h"
#include "web/console_text_pages.h"
#include "web/console_credential_pages.h"
#include "web/console_gates.h"
#include "web/console_layout.h"
#include "web/console_invitation_pages.h"
#include "web/console_member_pages.h"
#include "web/console_provider_pages.h"
#include "web/console_insight_pages.h"
#include "web/console_webhook_pages.h"
#include "web/console_user_pages.h"
#include "api/system_api.h"
#include "app/access_log.h"
#include "app/config.h"
#include "app/core_services.h"
#include "base/clock.h"
#include "base/metrics.h"
#include "http/server.h"
#include "mail/mail_transport.h"
#include "mail/mail_worker.h"
#include "oauth/backchannel_logout.h"
#include "webhooks/webhook_sender.h"
#include "outbound/delivery_worker.h"
#include "outbound/outbound_http.h"
#include "accounts/account_service.h"
#include "tokens/api_token_service.h"
#include "tenancy/app_service.h"
#include "audit/audit_log.h"
#include "tokens/authenticator.h"
#include "oauth/client_service.h"
#include "oauth/endpoints/authorize_endpoint.h"
#include "oauth/endpoints/device_authorization_endpoint.h"
#include "oauth/endpoints/device_pages.h"
#include "oauth/endpoints/pushed_authorization_endpoint.h"
#include "oauth/endpoints/client_registration_endpoint.h"
#include "oauth/endpoints/discovery_endpoint.h"
#include "oauth/endpoints/end_session_endpoint.h"
#include "oauth/endpoints/token_endpoint.h"
#include "oauth/endpoints/token_introspection_endpoint.h"
#include "oauth/endpoints/userinfo_endpoint.h"
#include "oauth/authorization_service.h"
#include "sessions/browser_session_service.h"
#include "accounts/login_throttle.h"
#include "oauth/oauth_token_service.h"
#include "web/account_pages.h"
#include "web/landing_pages.h"
#include "web/federation_pages.h"
#include "web/login_pages.h"
#include "web/page_gates.h"
#include "web/page_kit.h"
#include "web/page_renderer.h"
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

namespace tessera::app {

class TesseraApp {
 public:
  static Result<std::unique_ptr<TesseraApp>> Build(const Config& config);
  ~TesseraApp();

  Result<uint16_t> Listen() { return server_->Listen(); }
  uint16_t metrics_port() const { return server_->metrics_port(); }
  size_t max_connections() const { return max_connections_; }
  void Run();  // serves until SIGTERM/SIGINT

  // Every route mounted (the OpenAPI coverage test compares them with src/api/openapi.json).
  const http::Router& router() const { return *router_; }

 private:
  explicit TesseraApp(const Config& config) : config_(config) {}
  void RollUpAuditDays();
  void CollectGarbageEvery(std::stop_token stop, std::chrono::minutes period);
  // --key-rotation-days: replaces keys as they come due (one node of several does it).
  void RotateKeysWhenDue(std::stop_token stop);
  Status BuildMail();  // the transport, the worker, and the core's mail queue
  void BuildDeliveries();  // the HTTP delivery worker and the preparer of each kind
  void BuildPages();   // the hosted pages' renderer, kit and gates, sign-in, account, assets
  void BuildAccountAndSystemApis();
  void BuildOAuthEndpoints();
  void BuildEmailHandlers();    // the email flows' API and pages
  void BuildConsoleHandlers();  // the server API, the consoles' APIs and pages
  void MountConsoles();
  void MountRoutes();
  Status BuildServer();  // the listener and its thread pools (--listen, --threads, …)
  static int Cores();
  int Workers() const;         // --workers, or two per core
  int HashingWorkers() const;  // threads of the handlers that may wait for a password hash

  Config config_;
  size_t max_connections_ = 0;
  // First, so it goes last: the store and the services outlive everything that uses them.
  std::unique_ptr<CoreServices> core_;
  // Mail: right after the core, so the worker stops before what it uses goes.
  std::unique_ptr<mail::MailTransport> mail_transport_;
  std::unique_ptr<mail::MailWorker> mail_worker_;
  // HTTP deliveries: after the core too, so the worker stops before what it uses goes.
  std::unique_ptr<services::CurlOutboundHttp> delivery_http_;
  std::unique_ptr<services::BackchannelLogout> backchannel_logout_;
  std::unique_ptr<services::WebhookSender> webhook_sender_;
  std::unique_ptr<services::DeliveryWorker> delivery_worker_;
  std::unique_ptr<api::EmailApi> email_api_;
  std::unique_ptr<web::EmailPages> email_pages_;
  std::unique_ptr<web::PageRenderer> pages_;
  std::unique_ptr<web::PageKit> page_kit_;
  std::unique_ptr<web::PageGates> page_gates_;
  std::unique_ptr<web::FederationPages> federation_pages_;
  std::unique_ptr<web::LoginPages> login_pages_;
  std::unique_ptr<web::LandingPages> landing_pages_;
  std::unique_ptr<web::AssetRoutes> asset_routes_;
  std::unique_ptr<web::AccountPages> account_pages_;
  std::unique_ptr<oauth::TokenEndpoint> token_endpoint_;
  std::unique_ptr<oauth::AuthorizeEndpoint> authorize_endpoint_;
  std::unique_ptr<oauth::UserInfoEndpoint> userinfo_endpoint_;
  std::unique_ptr<oauth::TokenIntrospectionEndpoints> introspection_endpoints_;
  std::unique_ptr<oauth::DiscoveryEndpoint> discovery_endpoint_;
  std::unique_ptr<oauth::EndSessionEndpoint> end_session_endpoint_;
  std::unique_ptr<oauth::DeviceAuthorizationEndpoint> device_authorization_endpoint_;
  std::unique_ptr<oauth::DevicePages> device_pages_;
  std::unique_ptr<oauth::PushedAuthorizationEndpoint> pushed_authorization_endpoint_;
  std::unique_ptr<oauth::ClientRegistrationEndpoint> client_registration_endpoint_;
  std::unique_ptr<api::AccountApi> account_api_;
  std::unique_ptr<api::MfaApi> mfa_api_;
  std::unique_ptr<web::MfaPages> mfa_pages_;
  std::unique_ptr<api::SystemApi> system_api_;
  std::unique_ptr<api::ServerApi> server_api_;
  std::unique_ptr<api::ConsoleCaller> console_caller_;
  std::unique_ptr<api::ConsoleAppsApi> console_apps_api_;
  std::unique_ptr<api::ConsoleMailDomainApi> console_mail_domain_api_;
  std::unique_ptr<api::ConsoleCredentialsApi> console_credentials_api_;
  std::unique_ptr<api::ConsoleRegistrationTokensApi> console_registration_tokens_api_;
  std::unique_ptr<api::ConsoleProvidersApi> console_providers_api_;
  std::unique_ptr<api::ConsoleWebhooksApi> console_webhooks_api_;
  std::unique_ptr<api::ConsoleUsersApi> console_users_api_;
  std::unique_ptr<api::ConsoleMembersApi> console_members_api_;
  std::unique_ptr<api::ConsoleAuditApi> console_audit_api_;
  std::unique_ptr<api::AdminApi> admin_api_;
  std::unique_ptr<web::ConsoleLayout> console_layout_;
  std::unique_ptr<web::ConsoleGates> console_gates_;
  std::unique_ptr<web::AuditTable> audit_table_;
  std::unique_ptr<web::ConsoleAppPages> console_app_pages_;
  std::unique_ptr<web::ConsoleCredentialPages> console_credential_pages_;
  std::unique_ptr<web::ConsoleProviderPages> console_provider_pages_;
  std::unique_ptr<web::ConsoleWebhookPages> console_webhook_pages_;
  std::unique_ptr<web::ConsoleInsightPages> console_insight_pages_;
  std::unique_ptr<web::ConsoleUserPages> console_user_pages_;
  std::unique_ptr<web::ConsoleMemberPages> console_member_pages_;
  std::unique_ptr<web::ConsoleInvitationPages> console_invitation_pages_;
  std::unique_ptr<web::ConsoleAuditPages> console_audit_pages_;
  std::unique_ptr<web::ConsoleMailDomainPages> console_mail_domain_pages_;
  std::unique_ptr<web::ConsoleTextPages> console_text_pages_;
  std::unique_ptr<web::AdminPages> admin_pages_;
  std::unique_ptr<http::Router> router_;
  std::unique_ptr<AccessLog> access_log_;
  std::unique_ptr<http::Server> server_;
  std::atomic<bool> shutting_down_{false};  // /readyz fails from the shutdown's start
  std::jthread maintenance_;
  std::jthread key_rotation_;
};

}  // namespace tessera::app
