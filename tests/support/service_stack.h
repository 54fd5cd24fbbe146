// File: service_stack.h
// The one builder of the services for unit tests: every service wired as app/core_services.cc
// wires it, over a fresh SQLite test database and a manual clock. Fixtures inherit it and
// call Build() with the few settings their tests depend on (lifetimes, throttling, audit).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>

#include "accounts/account_service.h"
#include "accounts/login_throttle.h"
#include "accounts/password_hasher.h"
#include "audit/audit_log.h"
#include "crypto/random.h"
#include "email_flows/email_token_service.h"
#include "email_flows/mail_flow.h"
#include "email_flows/mail_rate_limiter.h"
#include "email_flows/mailer.h"
#include "email_flows/password_reset_service.h"
#include "email_flows/passwordless_service.h"
#include "management/user_management_service.h"
#include "oauth/authorization_service.h"
#include "oauth/client_service.h"
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
#include "sessions/browser_session_service.h"
#include "sessions/refresh_token_rotation.h"
#include "sessions/session_service.h"
#include "store/store.h"
#include "tenancy/app_api_key_service.h"
#include "tenancy/app_service.h"
#include "tenancy/developer_console_service.h"
#include "tests/store/test_database.h"
#include "tests/support/enum_printing.h"
#include "tokens/access_token_service.h"
#include "tokens/api_token_service.h"
#include "tokens/authenticator.h"
#include "tokens/key_service.h"

namespace tessera::services::testing_support {

inline constexpr int64_t kStackStart = 1'800'000'000'000;

struct ServiceStackOptions {
  int64_t access_token_ttl_s = 600;
  int64_t refresh_token_ttl_s = 3600;
  int64_t session_ttl_s = 7200;
  std::optional<LoginThrottleOptions> throttle;  // none: sign-ins are not throttled
  bool audit = false;         // an AuditLog the account, session and console services record into
  bool audit_apps = false;    // …and the apps, clients and API keys too
  std::string mail_from = "Tessera <noreply@example.com>";
  BrowserSessionOptions browser{600, 1800};
};

class ServiceStack {
 protected:
  // Builds everything; fails the test (ASSERT) when the database or the apps cannot be made.
  void Build(const ServiceStackOptions& o = {}) {
    db_ = std::move(store::test::TestDatabase::Create("sqlite")).value();
    store_ = std::move(db_->OpenStore()).value();
    KeyServiceOptions ko;
    ko.master_key = crypto::RandomBytes(32);
    keys_ = std::move(KeyService::Create(*store_, clock_, ko)).value();
    if (o.audit) audit_ = std::make_unique<AuditLog>(*store_, clock_);
    AuditLog* audit = audit_.get();
    AuditLog* app_audit = o.audit_apps ? audit : nullptr;
    apps_ = std::make_unique<AppService>(*store_, clock_, "https://id.example", app_audit);
    ASSERT_TRUE(apps_->EnsureDefaultApp().ok());
    app_ = apps_->Resolve("default").value();
    issuer_ = apps_->IssuerFor(app_.slug);
    hasher_ = std::make_unique<PasswordHasher>(
        PasswordHasherOptions{crypto::Argon2Params{1, 8 * 1024 * 1024}, 2, 8}, metrics_);
    tokens_ = std::make_unique<AccessTokenService>(*keys_, clock_, o.access_token_ttl_s, metrics_);
    if (o.throttle) throttle_ = std::make_unique<LoginThrottle>(*store_, clock_, *o.throttle);
    api_tokens_ = std::make_unique<ApiTokenService>(*store_, clock_, audit);
    accounts_ = std::make_unique<AccountService>(*store_, *store_, *api_tokens_, *hasher_, clock_,
                                                 metrics_, AccountOptions{}, throttle_.get(), audit);
    refresh_tokens_ = std::make_unique<RefreshTokenRotation>(
        *store_, *store_, clock_, metrics_, RefreshTokenOptions{o.refresh_token_ttl_s}, audit);
    sessions_ = std::make_unique<SessionService>(*store_, *accounts_, *refresh_tokens_, *tokens_,
                                                 *apps_, clock_, SessionOptions{o.session_ttl_s},
                                                 audit);
    auth_ = std::make_unique<Authenticator>(*store_, *apps_, *tokens_, *api_tokens_, clock_);
    clients_ = std::make_unique<ClientService>(*store_, clock_, app_audit);
    BuildEmailFlows(o, audit);
    BuildConsole(app_audit, audit);
    BuildOAuth(o, audit);
  }

  ManualClock clock_{kStackStart};
  Metrics metrics_;
  std::unique_ptr<store::test::TestDatabase> db_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<KeyService> keys_;
  std::unique_ptr<AuditLog> audit_;
  std::unique_ptr<AppService> apps_;
  store::App app_;
  store::App console_app_;
  std::string issuer_;
  std::unique_ptr<PasswordHasher> hasher_;
  std::unique_ptr<AccessTokenService> tokens_;
  std::unique_ptr<LoginThrottle> throttle_;
  std::unique_ptr<AccountService> accounts_;
  std::unique_ptr<RefreshTokenRotation> refresh_tokens_;
  std::unique_ptr<SessionService> sessions_;
  std::unique_ptr<ApiTokenService> api_tokens_;
  std::unique_ptr<Authenticator> auth_;
  std::unique_ptr<ClientService> clients_;
  std::unique_ptr<EmailTokenService> email_tokens_;
  std::unique_ptr<MailRateLimiter> mail_limiter_;
  std::unique_ptr<Mailer> mailer_;
  std::unique_ptr<PasswordResetService> resets_;
  std::unique_ptr<PasswordlessService> passwordless_;
  std::unique_ptr<DeveloperConsoleService> console_;
  std::unique_ptr<AppApiKeyService> api_keys_;
  std::unique_ptr<UserManagementService> users_;
  SubjectIdentifiers subjects_{"pairwise subject key of the tests"};
  std::unique_ptr<AuthorizationService> authz_;
  std::unique_ptr<TokenIssuer> token_issuer_;
  std::unique_ptr<RequestObjectVerifier> request_objects_;
  std::unique_ptr<AuthorizationCodeGrant> code_grant_;
  std::unique_ptr<RefreshTokenGrant> refresh_grant_;
  std::unique_ptr<ClientCredentialsGrant> client_credentials_grant_;
  std::unique_ptr<LoginThrottle> device_code_guesses_;
  std::unique_ptr<LoginThrottle> device_starts_;
  std::unique_ptr<DeviceAuthorizationService> devices_;
  std::unique_ptr<GrantStart> device_grant_start_;
  std::unique_ptr<DeviceCodeGrant> device_grant_;
  std::unique_ptr<TokenExchangeGrant> token_exchange_grant_;
  std::unique_ptr<GrantTypes> grant_types_;
  std::unique_ptr<DpopProofService> dpop_;
  std::unique_ptr<OAuthTokenService> oauth_tokens_;
  std::unique_ptr<BrowserSessionService> browser_;

 private:
  void BuildEmailFlows(const ServiceStackOptions& o, AuditLog* audit) {
    email_tokens_ = std::make_unique<EmailTokenService>(*store_, clock_);
    mail_limiter_ = std::make_unique<MailRateLimiter>(*store_, clock_, MailRateOptions{});
    mailer_ = std::make_unique<Mailer>(*store_, clock_, nullptr, /*default_from=*/"", o.mail_from);
    MailFlowContext ctx{*store_, *apps_, *email_tokens_, *mail_limiter_, *mailer_, clock_, audit};
    resets_ = std::make_unique<PasswordResetService>(ctx, *accounts_);
    passwordless_ = std::make_unique<PasswordlessService>(ctx, *accounts_);
  }

  void BuildConsole(AuditLog* app_audit, AuditLog* audit) {
    console_ = std::make_unique<DeveloperConsoleService>(*store_, *store_, *store_, *apps_,
                                                         clock_, app_audit);
    ASSERT_TRUE(console_->EnsureConsoleApp().ok());
    console_app_ = apps_->Find(kConsoleAppSlug).value();
    api_keys_ = std::make_unique<AppApiKeyService>(*store_, clock_, app_audit);
    users_ = std::make_unique<UserManagementService>(*store_, *store_, *store_, *accounts_,
                                                     *sessions_, *resets_, clock_, audit);
  }

  void BuildOAuth(const ServiceStackOptions& o, AuditLog* audit) {
    dpop_ = std::make_unique<DpopProofService>(*store_, clock_, "dpop nonce key of the tests");
    oauth_tokens_ = std::make_unique<OAuthTokenService>(*store_, *store_, *store_, *store_, *apps_,
                                                        *keys_, *tokens_, subjects_, clock_,
                                                        nullptr, nullptr, dpop_.get());
    authz_ = std::make_unique<AuthorizationService>(*store_, *store_, *clients_, clock_,
                                                    AuthorizationOptions{}, nullptr,
                                                    oauth_tokens_.get());
    request_objects_ = std::make_unique<RequestObjectVerifier>(*apps_, clock_);
    authz_->SetRequestObjects(request_objects_.get());
    token_issuer_ = std::make_unique<TokenIssuer>(*apps_, *keys_, *tokens_, subjects_, clock_,
                                                  TokenIssuerOptions{3600});
    code_grant_ = std::make_unique<AuthorizationCodeGrant>(
        *store_, *store_, *store_, *refresh_tokens_, *token_issuer_, clock_,
        AuthorizationCodeGrantOptions{o.session_ttl_s});
    refresh_grant_ = std::make_unique<RefreshTokenGrant>(*store_, *refresh_tokens_,
                                                         *token_issuer_, clock_);
    client_credentials_grant_ = std::make_unique<ClientCredentialsGrant>(*token_issuer_);
    device_code_guesses_ = std::make_unique<LoginThrottle>(
        *store_, clock_,
        LoginThrottleOptions{.window_s = 900, .max_failures_per_account = 5,
                             .max_failures_per_ip = 20, .key_prefix = "device_code:",
                             .attempts = "code entries"});
    device_starts_ = std::make_unique<LoginThrottle>(
        *store_, clock_,
        LoginThrottleOptions{.window_s = 900, .max_failures_per_account = 8,
                             .max_failures_per_ip = 6, .key_prefix = "device_start:",
                             .attempts = "device authorizations"});
    devices_ = std::make_unique<DeviceAuthorizationService>(
        *store_, *clients_, *authz_, *device_code_guesses_, *device_starts_, clock_,
        DeviceAuthorizationOptions{}, audit);
    device_grant_start_ = std::make_unique<GrantStart>(*store_, *store_, *refresh_tokens_,
                                                       *token_issuer_, clock_, o.session_ttl_s);
    device_grant_ = std::make_unique<DeviceCodeGrant>(*store_, *device_grant_start_, clock_);
    token_exchange_grant_ = std::make_unique<TokenExchangeGrant>(*oauth_tokens_, *token_issuer_);
    grant_types_ = std::make_unique<GrantTypes>(std::vector<Grant*>{
        code_grant_.get(), refresh_grant_.get(), client_credentials_grant_.get(),
        device_grant_.get(), token_exchange_grant_.get()});
    browser_ = std::make_unique<BrowserSessionService>(*store_, clock_, o.browser, audit);
  }
};

}  // namespace tessera::services::testing_support
