#include "app/core_services.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "base/log.h"
#include "crypto/digest.h"
#include "tokens/master_key.h"
#include "store/open_store.h"

namespace tessera::app {

Result<std::unique_ptr<store::Store>> OpenConfiguredStore(const DatabaseConfig& db) {
  if (db.database_url.empty() && db.create) {
    std::error_code ec;
    std::filesystem::create_directories(db.data_dir, ec);
    if (ec) return UnavailableError("cannot create data dir " + db.data_dir + ": " + ec.message());
    std::filesystem::permissions(db.data_dir, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::replace, ec);
  }
  auto store = store::OpenStore({db.database_url, db.SqlitePath(), db.pool_size,
                                 db.sqlite_synchronous_full, /*migrate=*/true, db.create});
  if (!db.create && store.status().IsNotFound()) {
    return NotFoundError(store.status().message() +
                         ": this command never creates one. Point it at your server's database "
                         "(--data-dir or --database-url, or TESSERA_DATA_DIR / "
                         "TESSERA_DATABASE_URL), or create one with `tessera migrate`");
  }
  return store;
}

Result<std::vector<crypto::JwsAlg>> SigningAlgs(const Config& c) {
  std::vector<crypto::JwsAlg> algs;
  auto add = [&algs](std::string_view name) -> Status {
    auto alg = crypto::ParseJwsAlg(name);
    if (!alg) return InvalidArgumentError("unknown signing algorithm '" + std::string(name) +
                                          "': use ES256, EdDSA or RS256");
    if (std::find(algs.begin(), algs.end(), *alg) == algs.end()) algs.push_back(*alg);
    return OkStatus();
  };
  TESSERA_RETURN_IF_ERROR(add(c.jwt_alg));
  std::string_view rest = c.signing_algs;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) TESSERA_RETURN_IF_ERROR(add(item));
    rest = comma == std::string_view::npos ? "" : rest.substr(comma + 1);
  }
  TESSERA_RETURN_IF_ERROR(add("RS256"));
  return algs;
}

std::vector<std::string> SigningAlgNames(const Config& c) {
  std::vector<std::string> names;
  if (auto algs = SigningAlgs(c); algs.ok()) {
    for (auto a : *algs) names.emplace_back(crypto::JwsAlgName(a));
  }
  return names;
}

Result<std::unique_ptr<services::KeyService>> OpenKeys(const Config& config,
                                                       store::KeyStore& store, const Clock& clock,
                                                       ChangeNotices* notices, services::AuditLog* audit) {
  auto alg = crypto::ParseJwsAlg(config.jwt_alg);
  if (!alg) return InvalidArgumentError("--jwt-alg must be ES256, EdDSA or RS256");
  TESSERA_ASSIGN_OR_RETURN(auto algs, SigningAlgs(config));
  const DatabaseConfig& db = config.db;
  const char* env = std::getenv("TESSERA_MASTER_KEY");
  if (db.master_key_file.empty() && !env && !db.database_url.empty()) {
    return FailedPreconditionError(
        "with PostgreSQL, every node needs the same master key: set TESSERA_MASTER_KEY or "
        "--master-key-file");
  }
  TESSERA_ASSIGN_OR_RETURN(
      services::MasterKey master,
      services::LoadMasterKey({env ? env : "", db.master_key_file, db.data_dir}));
  if (master.origin.rfind("generated:", 0) == 0) {
    LogJson(spdlog::level::warn, "master_key_generated",
            {{"path", master.origin.substr(10)},
             {"advice",
              "fine for a local run; in production set TESSERA_MASTER_KEY from a "
              "secret store and back it up: without it the signing keys are lost"}});
  }
  services::KeyServiceOptions options;
  options.alg = *alg;
  options.algs = std::move(algs);
  options.master_key = std::move(master.bytes);
  options.stage_ms = config.key_stage_s * 1000;
  options.rotate_after_ms = static_cast<int64_t>(config.key_rotation_days * 24 * 3600 * 1000);
  return services::KeyService::Create(store, clock, std::move(options), notices, audit);
}

services::PasswordHasherOptions HasherOptions(const Config& c) {
  services::PasswordHasherOptions o;
  o.params.ops_limit = static_cast<uint64_t>(std::max(1, c.argon2_iterations));
  o.params.mem_limit_bytes = static_cast<size_t>(std::max(8, c.argon2_memory_kib)) * 1024;
  int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  o.concurrency = c.hash_concurrency > 0 ? c.hash_concurrency : cores;
  o.max_queue = c.hash_queue;
  o.max_wait = std::chrono::milliseconds(static_cast<int64_t>(c.hash_max_wait_s * 1000));
  return o;
}

services::AccountOptions AccountOptionsFrom(const Config& c) {
  services::AccountOptions o;
  o.password.min_length = static_cast<size_t>(std::max(1, c.password_min_length));
  return o;
}

Result<std::unique_ptr<CoreServices>> CoreServices::Open(const Config& config) {
  std::unique_ptr<CoreServices> c(new CoreServices(config));
  TESSERA_ASSIGN_OR_RETURN(c->store_, OpenConfiguredStore(config.db));
  // A failed notice costs other nodes at most their caches' lifetimes: logged, not returned.
  c->notices_.SetTransport([store = c->store_.get()](std::string_view payload) {
    if (Status s = store->SendChangeNotice(payload); !s.ok()) {
      LogJson(spdlog::level::warn, "change_notice_failed", {{"error", s.ToString()}});
    }
  });
  c->audit_ = std::make_unique<services::AuditLog>(*c->store_, c->clock_);
  // Every audited change an app's webhooks hear of is queued with its audit event, whoever
  // records it (server or CLI).
  c->webhook_events_ = std::make_unique<services::WebhookEvents>(*c->store_, *c->store_, c->clock_);
  c->audit_->SetFollower(c->webhook_events_.get());
  c->insights_ = std::make_unique<services::InsightsService>(*c->store_, c->clock_);
  c->apps_ = std::make_unique<services::AppService>(*c->store_, c->clock_, config.public_url,
                                                    c->audit_.get());
  c->apps_->FollowChanges(c->notices_);
  c->clients_ = std::make_unique<services::ClientService>(*c->store_, c->clock_, c->audit_.get(),
                                                          SigningAlgNames(config));
  c->app_api_keys_ =
      std::make_unique<services::AppApiKeyService>(*c->store_, c->clock_, c->audit_.get());
  c->initial_access_tokens_ = std::make_unique<services::InitialAccessTokenService>(
      *c->store_, c->clock_, c->audit_.get());
  c->dynamic_registration_ = std::make_unique<services::DynamicClientRegistration>(
      *c->clients_, *c->store_, *c->initial_access_tokens_);
  c->mail_domains_ = std::make_unique<services::MailDomainService>(
      *c->store_, c->clock_, services::MailDomainOptions{config.mail_allowed_domains});
  c->console_ = std::make_unique<services::DeveloperConsoleService>(*c->store_, *c->store_, *c->store_, *c->apps_,
                                                                    c->clock_, c->audit_.get());
  TESSERA_RETURN_IF_ERROR(c->apps_->EnsureDefaultApp());
  TESSERA_RETURN_IF_ERROR(c->console_->EnsureConsoleApp());
  return c;
}

Status CoreServices::OpenKeys() {
  TESSERA_ASSIGN_OR_RETURN(keys_, app::OpenKeys(config_, *store_, clock_, &notices_, audit_.get()));
  webhooks_ = std::make_unique<services::WebhookService>(*store_, *store_, keys_->master_key(),
                                                         clock_, audit_.get());
  return OkStatus();
}

void CoreServices::ListenForChanges() {
  if (config_.db.database_url.empty()) return;  // SQLite: one serving process
  change_listener_ = store::sql::ListenForChanges(config_.db.database_url, notices_, &metrics_);
}

// The mailer leaves the sender to the worker unless the app sets one, so mail queued by the
// CLI goes out with the running server's --mail-from.
void CoreServices::OpenMailQueue(mail::MailWorker* worker_or_null) {
  mailer_ = std::make_unique<services::Mailer>(*store_, clock_, worker_or_null,
                                               /*default_from=*/"", config_.mail_from,
                                               mail_domains_.get());
}

Status CoreServices::BuildAccountServices() {
  if (!mailer_) return FailedPreconditionError("the mail queue is not open");
  if (!keys_) TESSERA_RETURN_IF_ERROR(OpenKeys());
  hasher_ = std::make_unique<services::PasswordHasher>(HasherOptions(config_), metrics_);
  access_tokens_ = std::make_unique<services::AccessTokenService>(
      *keys_, clock_, config_.access_token_ttl_s, metrics_);
  // Every node derives the same nonce key, so a nonce one node sent is good on all of them.
  dpop_ = std::make_unique<services::DpopProofService>(
      *store_, clock_, crypto::HmacSha256(keys_->master_key(), "tessera dpop nonce v1"));
  throttle_ = std::make_unique<services::LoginThrottle>(
      *store_, clock_,
      services::LoginThrottleOptions{config_.login_throttle_window_s,
                                     config_.login_max_failures_per_account,
                                     config_.login_max_failures_per_ip});
  api_tokens_ = std::make_unique<services::ApiTokenService>(*store_, clock_, audit_.get());
  accounts_ = std::make_unique<services::AccountService>(
      *store_, *store_, *api_tokens_, *hasher_, clock_, metrics_, AccountOptionsFrom(config_),
      throttle_.get(), audit_.get());
  refresh_tokens_ = std::make_unique<services::RefreshTokenRotation>(
      *store_, *store_, clock_, metrics_,
      services::RefreshTokenOptions{config_.refresh_token_ttl_s}, audit_.get());
  sessions_ = std::make_unique<services::SessionService>(
      *store_, *accounts_, *refresh_tokens_, *access_tokens_, *apps_, clock_,
      services::SessionOptions{config_.session_ttl_s}, audit_.get());
  authenticator_ =
      std::make_unique<services::Authenticator>(*store_, *apps_, *access_tokens_, *api_tokens_,
                                                clock_);
  BuildEmailFlows();
  user_management_ = std::make_unique<services::UserManagementService>(
      *store_, *store_, *store_, *accounts_, *sessions_, *resets_, clock_, audit_.get());
  invitations_ = std::make_unique<services::AppInvitationService>(
      *store_, *store_, *store_, *store_, *apps_, *mailer_, clock_, audit_.get());
  BuildOAuthServices();
  BuildFederation();
  BuildMfa();
  return OkStatus();
}

void CoreServices::BuildMfa() {
  services::MailFlowContext mail{*store_, *apps_,  *email_tokens_, *mail_limiter_,
                                 *mailer_, clock_, audit_.get()};
  factors_ = std::make_unique<services::FactorService>(*store_, keys_->master_key(), clock_, mail,
                                                       audit_.get());
  mfa_sign_in_ = std::make_unique<services::MfaSignIn>(*store_, *accounts_, *sessions_, *factors_,
                                                       keys_->master_key(), clock_,
                                                       throttle_.get(), mail, audit_.get());
  passkeys_ = std::make_unique<services::PasskeyService>(
      *store_, *accounts_, clock_, keys_->master_key(),
      services::PasskeySettingsFor(apps_->public_url()), mail, audit_.get());
  mfa_sign_in_->SetPasskeys(passkeys_.get());
}

void CoreServices::BuildFederation() {
  identity_providers_ = std::make_unique<services::IdentityProviderService>(
      *store_, keys_->master_key(), clock_, audit_.get());
  services::CurlOutboundHttpOptions http;
  http.user_agent = "Tessera/" TESSERA_VERSION;
  http.allow_private_addresses = config_.federation_allow_private_hosts;
  upstream_http_ = std::make_unique<services::CurlOutboundHttp>(std::move(http));
  provider_metadata_ = std::make_unique<services::ProviderMetadataCache>(*upstream_http_, clock_);
  federation_ = std::make_unique<services::FederatedSignIn>(
      *store_, *identity_providers_, *accounts_, *sessions_, *apps_, *upstream_http_,
      *provider_metadata_, clock_, services::FederatedSignInOptions{}, audit_.get(),
      services::MailFlowContext{*store_, *apps_, *email_tokens_, *mail_limiter_, *mailer_, clock_,
                                audit_.get()});
  // Identities linked before the owner of an unverified address proved it may be a
  // planter's, like a password set before it: they go (AccountService's hook).
  accounts_->SetAddressProvenHook([this](const store::App& app, const store::User& user) {
    federation_->UnlinkAllAfterAddressProof(app, user);
  });
}

void CoreServices::BuildEmailFlows() {
  email_tokens_ = std::make_unique<services::EmailTokenService>(*store_, clock_);
  mail_limiter_ =
      std::make_unique<services::MailRateLimiter>(*store_, clock_, services::MailRateOptions{});
  services::MailFlowContext ctx{*store_,  *apps_, *email_tokens_, *mail_limiter_,
                                *mailer_, clock_, audit_.get()};
  verification_ = std::make_unique<services::EmailVerificationService>(ctx, *accounts_);
  resets_ = std::make_unique<services::PasswordResetService>(ctx, *accounts_);
  passwordless_ = std::make_unique<services::PasswordlessService>(ctx, *accounts_);
  // Every signup of an unverified address gets its verification mail.
  accounts_->SetSignupHook(
      [this](const store::App& app, const store::User& user, const services::ClientInfo& client) {
        Status s = verification_->SendVerification(app, user, client);
        if (!s.ok()) {
          LogJson(spdlog::level::warn, "verification_mail_not_sent",
                  {{"app", app.slug}, {"user_id", user.id}, {"error", s.ToString()}});
        }
      });
}

void CoreServices::BuildOAuthServices() {
  browser_sessions_ = std::make_unique<services::BrowserSessionService>(
      *store_, clock_,
      services::BrowserSessionOptions{config_.browser_session_idle_ttl_s,
                                      config_.browser_session_ttl_s},
      audit_.get());
  // Every node derives the same key, so a user's pairwise sub is the same on all of them.
  subjects_ = std::make_unique<services::SubjectIdentifiers>(
      crypto::HmacSha256(keys_->master_key(), "tessera pairwise subject v1"));
  oauth_tokens_ = std::make_unique<services::OAuthTokenService>(
      *store_, *store_, *store_, *store_, *apps_, *keys_, *access_tokens_, *subjects_, clock_,
      audit_.get(), api_tokens_.get(), dpop_.get());
  authorization_ = std::make_unique<services::AuthorizationService>(
      *store_, *store_, *clients_, clock_, services::AuthorizationOptions{}, audit_.get(),
      oauth_tokens_.get());
  request_objects_ = std::make_unique<services::RequestObjectVerifier>(*apps_, clock_);
  authorization_->SetRequestObjects(request_objects_.get());
  token_issuer_ = std::make_unique<services::TokenIssuer>(
      *apps_, *keys_, *access_tokens_, *subjects_, clock_, services::TokenIssuerOptions{3600});
  authorization_code_grant_ = std::make_unique<services::AuthorizationCodeGrant>(
      *store_, *store_, *store_, *refresh_tokens_, *token_issuer_, clock_,
      services::AuthorizationCodeGrantOptions{config_.session_ttl_s}, audit_.get());
  refresh_token_grant_ = std::make_unique<services::RefreshTokenGrant>(
      *store_, *refresh_tokens_, *token_issuer_, clock_);
  client_credentials_grant_ = std::make_unique<services::ClientCredentialsGrant>(*token_issuer_);
  // RFC 8628 §5.1: wrong user codes are limited per user (or, before sign-in, per address)
  // and per IP, on budgets of their own: ~34.5 bits of code stay out of reach.
  device_code_guesses_ = std::make_unique<services::LoginThrottle>(
      *store_, clock_,
      services::LoginThrottleOptions{.window_s = 15 * 60,
                                     .max_failures_per_account = 10,
                                     .max_failures_per_ip = 50,
                                     .key_prefix = "device_code:",
                                     .attempts = "code entries"});
  // A client (all its devices) may start 600 authorizations in 15 minutes, an IP 120.
  device_starts_ = std::make_unique<services::LoginThrottle>(
      *store_, clock_,
      services::LoginThrottleOptions{.window_s = 15 * 60,
                                     .max_failures_per_account = 600,
                                     .max_failures_per_ip = 120,
                                     .key_prefix = "device_start:",
                                     .attempts = "device authorizations"});
  device_authorizations_ = std::make_unique<services::DeviceAuthorizationService>(
      *store_, *clients_, *authorization_, *device_code_guesses_, *device_starts_, clock_,
      services::DeviceAuthorizationOptions{}, audit_.get());
  device_grant_start_ = std::make_unique<services::GrantStart>(
      *store_, *store_, *refresh_tokens_, *token_issuer_, clock_, config_.session_ttl_s);
  device_code_grant_ =
      std::make_unique<services::DeviceCodeGrant>(*store_, *device_grant_start_, clock_);
  token_exchange_grant_ =
      std::make_unique<services::TokenExchangeGrant>(*oauth_tokens_, *token_issuer_);
  grant_types_ = std::make_unique<services::GrantTypes>(std::vector<services::Grant*>{
      authorization_code_grant_.get(), refresh_token_grant_.get(), client_credentials_grant_.get(),
      device_code_grant_.get(), token_exchange_grant_.get()});
}

}  // namespace tessera::app
