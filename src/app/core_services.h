// File: core_services.h
// The store and the business services over it (the domain folders), wired once from a Config for
// every entry point. `serve` (TesseraApp) builds all of it and puts the HTTP layer, the mail
// worker and the background threads around it; an admin command of the CLI opens the store
// and then only the parts it calls, so it starts no thread pool and no mail worker, and needs
// the master key only when it signs or hashes.
//
//   auto core = CoreServices::Open(config);          // store, audit log, apps, clients, …
//   TESSERA_RETURN_IF_ERROR((*core)->OpenKeys());    // only where keys are needed
#pragma once

#include <memory>

#include "app/config.h"
#include "base/clock.h"
#include "base/metrics.h"
#include "base/result.h"
#include "tokens/access_token_service.h"
#include "accounts/account_service.h"
#include "tokens/api_token_service.h"
#include "tenancy/app_api_key_service.h"
#include "tenancy/app_service.h"
#include "audit/audit_log.h"
#include "tokens/authenticator.h"
#include "tokens/dpop_proof_service.h"
#include "oauth/dynamic_client_registration.h"
#include "oauth/initial_access_token_service.h"
#include "oauth/authorization_service.h"
#include "sessions/browser_session_service.h"
#include "sessions/refresh_token_rotation.h"
#include "sessions/session_service.h"
#include "oauth/client_service.h"
#include "tenancy/developer_console_service.h"
#include "tenancy/mail_domain_service.h"
#include "email_flows/email_token_service.h"
#include "email_flows/email_verification_service.h"
#include "tokens/key_service.h"
#include "accounts/login_throttle.h"
#include "email_flows/mail_rate_limiter.h"
#include "email_flows/mailer.h"
#include "management/app_invitation_service.h"
#include "oauth/authorization_code_grant.h"
#include "oauth/client_credentials_grant.h"
#include "oauth/device_authorization_service.h"
#include "oauth/device_code_grant.h"
#include "oauth/grant_start.h"
#include "oauth/grant_types.h"
#include "oauth/token_exchange_grant.h"
#include "oauth/oauth_token_service.h"
#include "oauth/refresh_token_grant.h"
#include "oauth/token_issuer.h"
#include "accounts/password_hasher.h"
#include "email_flows/password_reset_service.h"
#include "email_flows/passwordless_service.h"
#include "federation/federated_sign_in.h"
#include "federation/identity_provider_service.h"
#include "federation/provider_metadata_cache.h"
#include "outbound/outbound_http.h"
#include "mfa/factor_service.h"
#include "mfa/mfa_sign_in.h"
#include "management/user_management_service.h"
#include "audit/insights.h"
#include "webhooks/webhook_events.h"
#include "webhooks/webhook_service.h"
#include "tokens/token_store.h"
#include "store/store.h"
#include "store/sql/postgres_change_listener.h"

namespace tessera::mail {
class MailWorker;
}

namespace tessera::app {

// Opens the configured database (creating the data dir for SQLite) and migrates it.
Result<std::unique_ptr<store::Store>> OpenConfiguredStore(const DatabaseConfig& db);
// The algorithms to hold signing keys for: --jwt-alg, --signing-algs and RS256.
Result<std::vector<crypto::JwsAlg>> SigningAlgs(const Config& config);
// Loads (or creates) the signing keys under the configured master key: one active key per
// algorithm of `algs`; `alg` signs access tokens.
Result<std::unique_ptr<services::KeyService>> OpenKeys(const Config& config,
                                                       store::KeyStore& store, const Clock& clock,
                                                       ChangeNotices* notices,
                                                       services::AuditLog* audit);
// Password-hashing settings from the config (shared by `serve` and `admin create-user`).
services::PasswordHasherOptions HasherOptions(const Config& config);
services::AccountOptions AccountOptionsFrom(const Config& config);

class CoreServices {
 public:
  // Opens (and migrates) the store, makes sure the default and the console app exist, and
  // builds the services that need nothing but the store: the audit log, apps, OAuth
  // clients, app API keys and the console's membership rules.
  static Result<std::unique_ptr<CoreServices>> Open(const Config& config);

  // Loads the master key and the signing keys (on a fresh database: makes the first key).
  Status OpenKeys();
  // The server, on PostgreSQL: hears the other nodes' change notices (the app cache, the
  // key set); after the services that subscribe are built. Commands only send notices.
  void ListenForChanges();
  // The mail queue (Mailer). Each queued mail wakes `worker_or_null`, the server's sender;
  // with none (the CLI only queues) a running server's worker finds it within seconds.
  void OpenMailQueue(mail::MailWorker* worker_or_null);
  // Everything that hashes passwords, signs tokens or manages users: accounts, API tokens,
  // the email flows, user management, hosted-page sessions and the OAuth services. Opens
  // the keys if they are not open; the mail queue must be (kFailedPrecondition otherwise).
  Status BuildAccountServices();

  const Clock& clock() const { return clock_; }
  Metrics& metrics() { return metrics_; }
  store::Store& store() { return *store_; }
  services::AuditLog& audit() { return *audit_; }
  services::AppService& apps() { return *apps_; }
  services::ClientService& clients() { return *clients_; }
  services::InitialAccessTokenService& initial_access_tokens() { return *initial_access_tokens_; }
  services::DynamicClientRegistration& dynamic_registration() { return *dynamic_registration_; }
  services::AppApiKeyService& app_api_keys() { return *app_api_keys_; }
  services::DeveloperConsoleService& console() { return *console_; }
  services::MailDomainService& mail_domains() { return *mail_domains_; }
  // After OpenKeys.
  services::KeyService& keys() { return *keys_; }
  // After OpenMailQueue.
  services::Mailer& mailer() { return *mailer_; }
  // After BuildAccountServices.
  services::PasswordHasher& hasher() { return *hasher_; }
  services::AccessTokenService& access_tokens() { return *access_tokens_; }
  services::DpopProofService& dpop() { return *dpop_; }
  services::AccountService& accounts() { return *accounts_; }
  services::RefreshTokenRotation& refresh_tokens() { return *refresh_tokens_; }
  services::SessionService& sessions() { return *sessions_; }
  services::ApiTokenService& api_tokens() { return *api_tokens_; }
  services::Authenticator& authenticator() { return *authenticator_; }
  services::EmailVerificationService& verification() { return *verification_; }
  services::PasswordResetService& resets() { return *resets_; }
  services::PasswordlessService& passwordless() { return *passwordless_; }
  services::UserManagementService& user_management() { return *user_management_; }
  services::AppInvitationService& invitations() { return *invitations_; }
  services::BrowserSessionService& browser_sessions() { return *browser_sessions_; }
  services::AuthorizationService& authorization() { return *authorization_; }
  const services::GrantTypes& grant_types() { return *grant_types_; }
  services::DeviceAuthorizationService& device_authorizations() { return *device_authorizations_; }
  services::OAuthTokenService& oauth_tokens() { return *oauth_tokens_; }
  services::TokenIssuer& token_issuer() { return *token_issuer_; }
  services::IdentityProviderService& identity_providers() { return *identity_providers_; }
  services::FederatedSignIn& federation() { return *federation_; }
  services::FactorService& factors() { return *factors_; }
  services::MfaSignIn& mfa_sign_in() { return *mfa_sign_in_; }
  services::PasskeyService& passkeys() { return *passkeys_; }
  // After OpenKeys (the secrets are sealed under the master key).
  services::WebhookService& webhooks() { return *webhooks_; }
  services::WebhookEvents& webhook_events() { return *webhook_events_; }
  services::InsightsService& insights() { return *insights_; }

 private:
  explicit CoreServices(const Config& config) : config_(config) {}
  void BuildEmailFlows();  // tokens, limits, verification (sent at signup), reset, passwordless
  void BuildOAuthServices();
  void BuildFederation();  // upstream providers, linking, the connectors' HTTP client
  void BuildMfa();         // second factors and the second step of a sign-in

  Config config_;
  SystemClock clock_;
  Metrics metrics_;
  ChangeNotices notices_;  // before the services that subscribe to it
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<services::AuditLog> audit_;  // before the services that record into it
  std::unique_ptr<services::AppService> apps_;
  std::unique_ptr<services::ClientService> clients_;
  std::unique_ptr<services::InitialAccessTokenService> initial_access_tokens_;  // RFC 7591 §3
  std::unique_ptr<services::DynamicClientRegistration> dynamic_registration_;  // RFC 7591/7592
  std::unique_ptr<services::AppApiKeyService> app_api_keys_;
  std::unique_ptr<services::DeveloperConsoleService> console_;
  std::unique_ptr<services::MailDomainService> mail_domains_;
  std::unique_ptr<services::KeyService> keys_;
  std::unique_ptr<services::Mailer> mailer_;
  std::unique_ptr<services::PasswordHasher> hasher_;
  std::unique_ptr<services::AccessTokenService> access_tokens_;
  std::unique_ptr<services::DpopProofService> dpop_;  // RFC 9449 proofs, nonces, replays
  std::unique_ptr<services::LoginThrottle> throttle_;
  std::unique_ptr<services::AccountService> accounts_;
  std::unique_ptr<services::RefreshTokenRotation> refresh_tokens_;
  std::unique_ptr<services::SessionService> sessions_;
  std::unique_ptr<services::ApiTokenService> api_tokens_;
  std::unique_ptr<services::Authenticator> authenticator_;
  std::unique_ptr<services::EmailTokenService> email_tokens_;
  std::unique_ptr<services::MailRateLimiter> mail_limiter_;
  std::unique_ptr<services::EmailVerificationService> verification_;
  std::unique_ptr<services::PasswordResetService> resets_;
  std::unique_ptr<services::PasswordlessService> passwordless_;
  std::unique_ptr<services::AppInvitationService> invitations_;
  std::unique_ptr<services::UserManagementService> user_management_;
  std::unique_ptr<services::BrowserSessionService> browser_sessions_;
  std::unique_ptr<services::AuthorizationService> authorization_;
  std::unique_ptr<services::SubjectIdentifiers> subjects_;
  std::unique_ptr<services::TokenIssuer> token_issuer_;
  std::unique_ptr<services::RequestObjectVerifier> request_objects_;
  std::unique_ptr<services::AuthorizationCodeGrant> authorization_code_grant_;
  std::unique_ptr<services::RefreshTokenGrant> refresh_token_grant_;
  std::unique_ptr<services::ClientCredentialsGrant> client_credentials_grant_;
  std::unique_ptr<services::LoginThrottle> device_code_guesses_;  // wrong user codes
  std::unique_ptr<services::LoginThrottle> device_starts_;        // new device authorizations
  std::unique_ptr<services::DeviceAuthorizationService> device_authorizations_;
  std::unique_ptr<services::GrantStart> device_grant_start_;
  std::unique_ptr<services::DeviceCodeGrant> device_code_grant_;
  std::unique_ptr<services::TokenExchangeGrant> token_exchange_grant_;
  std::unique_ptr<services::GrantTypes> grant_types_;  // the five above, by grant_type
  std::unique_ptr<services::OAuthTokenService> oauth_tokens_;
  std::unique_ptr<services::IdentityProviderService> identity_providers_;
  std::unique_ptr<services::WebhookService> webhooks_;
  std::unique_ptr<services::WebhookEvents> webhook_events_;
  std::unique_ptr<services::InsightsService> insights_;
  std::unique_ptr<services::CurlOutboundHttp> upstream_http_;
  std::unique_ptr<services::ProviderMetadataCache> provider_metadata_;
  std::unique_ptr<services::FederatedSignIn> federation_;
  std::unique_ptr<services::FactorService> factors_;
  std::unique_ptr<services::MfaSignIn> mfa_sign_in_;
  std::unique_ptr<services::PasskeyService> passkeys_;
  // Last: its thread calls into the services above, so it stops first.
  std::unique_ptr<store::sql::PostgresChangeListener> change_listener_;
};

}  // namespace tessera::app
