#include "app/tessera_app.h"

#include <condition_variable>
#include <cstdlib>
#include <filesystem>

#include "api/docs_api.h"
#include "app/idle_memory_trimmer.h"
#include "base/log.h"
#include "mail/mime_message.h"
#include "mail/outbox_dir_transport.h"
#include "mail/smtp_transport.h"
#include "oauth/endpoints/cors.h"
#include "tokens/master_key.h"
#include "store/open_store.h"

namespace tessera::app {

Result<std::unique_ptr<store::Store>> OpenConfiguredStore(const DatabaseConfig& db) {
  if (db.database_url.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(db.data_dir, ec);
    if (ec) return UnavailableError("cannot create data dir " + db.data_dir + ": " + ec.message());
    std::filesystem::permissions(db.data_dir, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::replace, ec);
  }
  return store::OpenStore({db.database_url, db.SqlitePath(), db.pool_size,
                           db.sqlite_synchronous_full, /*migrate=*/true});
}

Result<std::unique_ptr<services::KeyService>> OpenKeys(const DatabaseConfig& db,
                                                       store::KeyStore& store, const Clock& clock,
                                                       crypto::JwsAlg alg) {
  const char* env = std::getenv("TESSERA_MASTER_KEY");
  if (db.master_key_file.empty() && !env && !db.database_url.empty()) {
    return FailedPreconditionError(
        "with PostgreSQL, every node needs the same master key: set TESSERA_MASTER_KEY or "
        "--master-key-file");
  }
  TESSERA_ASSIGN_OR_RETURN(services::MasterKey master,
                           services::LoadMasterKey({env ? env : "", db.master_key_file, db.data_dir}));
  if (master.origin.rfind("generated:", 0) == 0) {
    LogJson(spdlog::level::warn, "master_key_generated",
            {{"path", master.origin.substr(10)},
             {"advice", "fine for a local run; in production set TESSERA_MASTER_KEY from a "
                        "secret store and back it up: without it the signing keys are lost"}});
  }
  services::KeyServiceOptions options;
  options.alg = alg;
  options.master_key = std::move(master.bytes);
  return services::KeyService::Create(store, clock, std::move(options));
}

services::PasswordHasherOptions HasherOptions(const Config& c) {
  services::PasswordHasherOptions o;
  o.params.ops_limit = static_cast<uint64_t>(std::max(1, c.argon2_iterations));
  o.params.mem_limit_bytes = static_cast<size_t>(std::max(8, c.argon2_memory_kib)) * 1024;
  int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  o.concurrency = c.hash_concurrency > 0 ? c.hash_concurrency : cores;
  o.max_queue = c.hash_queue;
  return o;
}

services::AccountOptions AccountOptionsFrom(const Config& c) {
  services::AccountOptions o;
  o.password.min_length = static_cast<size_t>(std::max(1, c.password_min_length));
  o.refresh_token_ttl_s = c.refresh_token_ttl_s;
  o.session_ttl_s = c.session_ttl_s;
  return o;
}

Result<std::unique_ptr<TesseraApp>> TesseraApp::Build(const Config& config) {
  std::unique_ptr<TesseraApp> a(new TesseraApp(config));
  auto alg = crypto::ParseJwsAlg(config.jwt_alg);
  if (!alg) return InvalidArgumentError("--jwt-alg must be ES256, EdDSA or RS256");
  DatabaseConfig db = config.db;
  // SQLite readers are cheap: one per worker, so no worker ever waits for one.
  int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  services::PasswordHasherOptions hashing = HasherOptions(config);
  // Hash waiters: those hashing plus those queued, and two spare for their database work.
  int hashing_workers = hashing.concurrency + hashing.max_queue + 2;
  int workers = config.workers > 0 ? config.workers : 2 * cores;
  // SQLite readers are cheap: one per thread that may read, so none ever waits for one.
  if (db.database_url.empty()) db.pool_size = std::max(db.pool_size, workers + hashing_workers);
  TESSERA_ASSIGN_OR_RETURN(a->store_, OpenConfiguredStore(db));
  TESSERA_ASSIGN_OR_RETURN(a->keys_, OpenKeys(config.db, *a->store_, a->clock_, *alg));
  a->audit_ = std::make_unique<services::AuditLog>(*a->store_, a->clock_);
  a->apps_ = std::make_unique<services::AppService>(*a->store_, a->clock_, config.public_url,
                                                    a->audit_.get());
  TESSERA_RETURN_IF_ERROR(a->apps_->EnsureDefaultApp());
  TESSERA_RETURN_IF_ERROR(a->BuildMail());
  a->hasher_ = std::make_unique<services::PasswordHasher>(hashing, a->metrics_);
  a->access_tokens_ = std::make_unique<services::AccessTokenService>(
      *a->keys_, a->clock_, config.access_token_ttl_s, a->metrics_);
  a->throttle_ = std::make_unique<services::LoginThrottle>(
      *a->store_, a->clock_,
      services::LoginThrottleOptions{config.login_throttle_window_s,
                                     config.login_max_failures_per_account,
                                     config.login_max_failures_per_ip});
  a->accounts_ = std::make_unique<services::AccountService>(
      *a->store_, *a->apps_, *a->hasher_, *a->access_tokens_, a->clock_, a->metrics_,
      AccountOptionsFrom(config), a->throttle_.get(), a->audit_.get());
  a->api_tokens_ =
      std::make_unique<services::ApiTokenService>(*a->store_, a->clock_, a->audit_.get());
  a->authenticator_ = std::make_unique<services::Authenticator>(*a->store_, *a->apps_,
                                                                *a->access_tokens_, *a->api_tokens_);
  a->account_api_ = std::make_unique<api::AccountApi>(*a->apps_, *a->accounts_, *a->api_tokens_,
                                                      *a->authenticator_);
  a->system_api_ = std::make_unique<api::SystemApi>(*a->store_, *a->apps_, *a->keys_, a->metrics_);

  a->clients_ = std::make_unique<services::ClientService>(*a->store_, a->clock_, a->audit_.get());
  a->browser_sessions_ = std::make_unique<services::BrowserSessionService>(
      *a->store_, a->clock_,
      services::BrowserSessionOptions{config.browser_session_idle_ttl_s,
                                      config.browser_session_ttl_s},
      a->audit_.get());
  a->authorization_ = std::make_unique<services::AuthorizationService>(
      *a->store_, *a->clients_, a->clock_, services::AuthorizationOptions{}, a->audit_.get());
  a->grants_ = std::make_unique<services::OAuthGrantService>(
      *a->store_, *a->apps_, *a->keys_, *a->access_tokens_, a->clock_, a->metrics_,
      services::OAuthGrantOptions{3600, config.refresh_token_ttl_s, config.session_ttl_s},
      a->audit_.get());
  a->pages_ = std::make_unique<web::PageRenderer>();
  a->web_ = std::make_unique<web::WebContext>(*a->apps_, *a->browser_sessions_, *a->pages_);
  a->login_pages_ = std::make_unique<web::LoginPages>(*a->web_, *a->accounts_, *a->clients_,
                                                      *a->pages_);
  a->account_pages_ =
      std::make_unique<web::AccountPages>(*a->web_, *a->accounts_, *a->authorization_);
  a->BuildEmailFlows();
  TESSERA_RETURN_IF_ERROR(a->BuildConsole());
  a->token_endpoint_ = std::make_unique<oauth::TokenEndpoint>(*a->apps_, *a->clients_,
                                                              *a->access_tokens_, *a->grants_);
  a->authorize_endpoint_ =
      std::make_unique<oauth::AuthorizeEndpoint>(*a->web_, *a->authorization_, *a->accounts_);
  a->userinfo_endpoint_ = std::make_unique<oauth::UserInfoEndpoint>(*a->apps_, *a->grants_);
  a->introspection_endpoints_ =
      std::make_unique<oauth::TokenIntrospectionEndpoints>(*a->apps_, *a->clients_, *a->grants_);
  a->discovery_endpoint_ = std::make_unique<oauth::DiscoveryEndpoint>(*a->apps_, *a->keys_);
  a->end_session_endpoint_ =
      std::make_unique<oauth::EndSessionEndpoint>(*a->web_, *a->clients_, *a->grants_);

  a->router_ = std::make_unique<http::Router>(a->metrics_);
  a->system_api_->Mount(*a->router_);
  a->account_api_->Mount(*a->router_);
  a->token_endpoint_->Mount(*a->router_);
  oauth::MountPreflight(*a->router_, "/apps/{app}/oauth/token");
  a->authorize_endpoint_->Mount(*a->router_);
  a->userinfo_endpoint_->Mount(*a->router_);
  a->introspection_endpoints_->Mount(*a->router_);
  a->discovery_endpoint_->Mount(*a->router_);
  a->end_session_endpoint_->Mount(*a->router_);
  a->login_pages_->Mount(*a->router_);
  a->account_pages_->Mount(*a->router_);
  a->email_api_->Mount(*a->router_);
  a->email_pages_->Mount(*a->router_);
  a->server_api_->Mount(*a->router_);
  a->console_api_->Mount(*a->router_);
  a->console_pages_->Mount(*a->router_);
  api::DocsApi().Mount(*a->router_);  // /api/openapi.json, /api/docs (stateless)
  a->access_log_ = std::make_unique<AccessLog>(*a->router_);

  http::ServerOptions so;
  size_t colon = config.listen.rfind(':');
  if (colon == std::string::npos) return InvalidArgumentError("--listen must be HOST:PORT");
  so.host = config.listen.substr(0, colon);
  if (so.host.size() > 2 && so.host.front() == '[') so.host = so.host.substr(1, so.host.size() - 2);
  try {
    so.port = static_cast<uint16_t>(std::stoi(config.listen.substr(colon + 1)));
  } catch (...) {
    return InvalidArgumentError("--listen must be HOST:PORT");
  }
  so.io_threads = config.io_threads > 0 ? config.io_threads : cores;
  so.workers = workers;
  so.hashing_workers = hashing_workers;
  so.max_body_bytes = config.max_body_bytes;
  so.read_timeout = std::chrono::seconds(config.read_timeout_s);
  so.idle_timeout = std::chrono::seconds(config.idle_timeout_s);
  so.drain_timeout = std::chrono::seconds(config.drain_timeout_s);
  a->server_ = std::make_unique<http::Server>(so, *a->router_, *a->access_log_);
  return a;
}

TesseraApp::~TesseraApp() {
  maintenance_.request_stop();
  if (maintenance_.joinable()) maintenance_.join();
}

void TesseraApp::Run() {
  maintenance_ = std::jthread([this](std::stop_token st) {
    CollectGarbageEvery(st, std::chrono::minutes(10));
  });
  IdleMemoryTrimmer trimmer([this] { return access_log_->requests_seen(); });
  std::jthread trimming([&trimmer](std::stop_token st) { trimmer.Run(st); });
  mail_worker_->Start();
  server_->Run();
  trimming.request_stop();
  // Stop background work before the caller tears down logging.
  mail_worker_->Stop();
  maintenance_.request_stop();
  maintenance_.join();
}

void TesseraApp::BuildEmailFlows() {
  email_tokens_ = std::make_unique<services::EmailTokenService>(*store_, clock_);
  mail_limiter_ = std::make_unique<services::MailRateLimiter>(*store_, clock_,
                                                              services::MailRateOptions{});
  services::MailFlowContext ctx{*store_,  *apps_, *email_tokens_, *mail_limiter_,
                                *mailer_, clock_, audit_.get()};
  verification_ = std::make_unique<services::EmailVerificationService>(ctx, *hasher_);
  resets_ = std::make_unique<services::PasswordResetService>(ctx, *accounts_);
  passwordless_ = std::make_unique<services::PasswordlessService>(ctx, *accounts_);
  // Every signup of an unverified address gets its verification mail.
  accounts_->SetSignupHook([this](const store::App& app, const store::User& user,
                                  const services::ClientInfo& client) {
    Status s = verification_->SendVerification(app, user, client);
    if (!s.ok()) {
      LogJson(spdlog::level::warn, "verification_mail_not_sent",
              {{"app", app.slug}, {"user_id", user.id}, {"error", s.ToString()}});
    }
  });
  email_api_ = std::make_unique<api::EmailApi>(*apps_, *authenticator_, *accounts_, *verification_,
                                               *resets_, *passwordless_);
  email_pages_ = std::make_unique<web::EmailPages>(*web_, *accounts_, *verification_, *resets_,
                                                   *passwordless_);
}

Status TesseraApp::BuildConsole() {
  console_ = std::make_unique<services::DeveloperConsoleService>(*store_, *apps_, clock_,
                                                                  audit_.get());
  TESSERA_RETURN_IF_ERROR(console_->EnsureConsoleApp());
  app_api_keys_ = std::make_unique<services::AppApiKeyService>(*store_, clock_, audit_.get());
  user_management_ = std::make_unique<services::UserManagementService>(
      *store_, *accounts_, *resets_, clock_, audit_.get());
  server_api_ = std::make_unique<api::ServerApi>(*apps_, *app_api_keys_, *user_management_,
                                                 *audit_);
  console_api_ = std::make_unique<api::ConsoleApi>(*apps_, *authenticator_, *console_,
                                                   *app_api_keys_, *clients_, *user_management_,
                                                   *audit_);
  console_pages_ = std::make_unique<web::ConsolePages>(*web_, *accounts_, *console_,
                                                       *app_api_keys_, *clients_,
                                                       *user_management_, *audit_);
  return OkStatus();
}

// SMTP when --smtp-url is set; otherwise (a local run) .eml files in DATA_DIR/outbox with
// their links in the log. The mailer leaves the sender to the worker unless the app sets
// one, so mail queued by the CLI goes out with the server's --mail-from.
Status TesseraApp::BuildMail() {
  if (Status from = mail::ParseMailbox(config_.mail_from).status(); !from.ok()) {
    return InvalidArgumentError("--mail-from: " + from.message());
  }
  if (config_.smtp_url.empty()) {
    mail_transport_ =
        std::make_unique<mail::OutboxDirTransport>(config_.db.data_dir + "/outbox");
  } else {
    auto starttls = mail::ParseStartTls(config_.smtp_starttls);
    if (!starttls) return InvalidArgumentError("--smtp-starttls must be auto, always or never");
    TESSERA_ASSIGN_OR_RETURN(
        mail_transport_, mail::SmtpTransport::Create({config_.smtp_url, config_.smtp_username,
                                                      config_.smtp_password, *starttls}));
  }
  mail::MailWorkerOptions options;
  options.default_from = config_.mail_from;
  options.backoff_base_ms = config_.mail_retry_base_s * 1000;
  mail_worker_ = std::make_unique<mail::MailWorker>(*store_, *mail_transport_, clock_, metrics_,
                                                    std::move(options));
  mailer_ = std::make_unique<services::Mailer>(*store_, clock_, mail_worker_.get(),
                                               /*default_from=*/"", config_.mail_from);
  return OkStatus();
}

void TesseraApp::CollectGarbageEvery(std::stop_token stop, std::chrono::minutes period) {
  std::mutex mu;
  std::condition_variable_any cv;
  std::unique_lock lock(mu);
  for (;;) {
    cv.wait_for(lock, stop, period, [] { return false; });  // wakes early only on stop
    if (stop.stop_requested()) return;
    auto stats = store_->CollectGarbage(clock_.NowMillis());
    if (stats.ok()) {
      LogJson(spdlog::level::info, "garbage_collected",
              {{"refresh_tokens", stats->refresh_tokens}, {"sessions", stats->sessions},
               {"api_tokens", stats->api_tokens}, {"email_tokens", stats->email_tokens},
               {"sent_mail", stats->sent_mail}});
    } else {
      LogJson(spdlog::level::warn, "garbage_collection_failed", {{"error", stats.status().ToString()}});
    }
    auto audit = audit_->ApplyRetention(config_.audit_retention_days);
    if (!audit.ok()) {
      LogJson(spdlog::level::warn, "audit_retention_failed",
              {{"error", audit.status().ToString()}});
    } else if (*audit > 0) {
      LogJson(spdlog::level::info, "audit_events_expired", {{"deleted", *audit}});
    }
  }
}

}  // namespace tessera::app
