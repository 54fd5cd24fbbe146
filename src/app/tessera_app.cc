#include "app/tessera_app.h"

#include <condition_variable>

#include "api/docs_api.h"
#include "app/descriptor_budget.h"
#include "app/idle_memory_trimmer.h"
#include "base/log.h"
#include "base/uri_rules.h"
#include "mail/mime_message.h"
#include "mail/outbox_dir_transport.h"
#include "mail/smtp_transport.h"
#include "oauth/endpoints/cors.h"

namespace tessera::app {
namespace {

// "HOST:PORT" or "[IPv6]:PORT".
Result<std::pair<std::string, uint16_t>> HostPort(const std::string& value, const char* flag) {
  auto bad = [&] { return InvalidArgumentError(std::string(flag) + " must be HOST:PORT"); };
  size_t colon = value.rfind(':');
  if (colon == std::string::npos) return bad();
  std::string host = value.substr(0, colon);
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  try {
    int port = std::stoi(value.substr(colon + 1));
    if (port < 0 || port > 65535) return bad();
    return std::make_pair(host, static_cast<uint16_t>(port));
  } catch (...) {
    return bad();
  }
}

Result<http::ForwardingRules> ForwardingFrom(const Config& c) {
  http::ForwardingRules rules;
  TESSERA_ASSIGN_OR_RETURN(rules.proxies, http::TrustedProxies::Parse(c.trusted_proxies));
  if (c.forwarded_header == "forwarded") {
    rules.header = http::ForwardedHeader::kForwarded;
  } else if (c.forwarded_header != "x-forwarded-for") {
    return InvalidArgumentError("--forwarded-header must be x-forwarded-for or forwarded");
  }
  return rules;
}

}  // namespace

Result<std::unique_ptr<TesseraApp>> TesseraApp::Build(const Config& config) {
  // A bad --public-url or --trusted-proxies fails the start before anything is opened.
  if (auto problem = PublicUrlProblem(config.public_url, config.insecure_http)) {
    return InvalidArgumentError("--public-url " + config.public_url + " " + *problem);
  }
  if (config.insecure_http && config.public_url.starts_with("http:")) {
    LogJson(spdlog::level::warn, "insecure_http",
            {{"public_url", config.public_url},
             {"detail", "passwords, cookies and codes cross the network in clear text"}});
  }
  TESSERA_RETURN_IF_ERROR(ForwardingFrom(config).status());
  std::unique_ptr<TesseraApp> a(new TesseraApp(config));
  size_t descriptor_limit = RaiseDescriptorLimit();
  Config core_config = config;
  // SQLite readers are cheap: one per thread that may read, so none ever waits for one.
  if (config.db.database_url.empty()) {
    core_config.db.pool_size = std::max(config.db.pool_size, a->Workers() + a->HashingWorkers());
  }
  TESSERA_ASSIGN_OR_RETURN(a->core_, CoreServices::Open(core_config));
  TESSERA_RETURN_IF_ERROR(a->core_->OpenKeys());
  a->core_->ListenForChanges();  // the app cache and the key set subscribe above
  TESSERA_RETURN_IF_ERROR(a->BuildMail());
  TESSERA_RETURN_IF_ERROR(a->core_->BuildAccountServices());
  a->BuildDeliveries();
  a->BuildAccountAndSystemApis();
  a->BuildPages();
  a->BuildOAuthEndpoints();
  a->BuildEmailHandlers();
  a->BuildConsoleHandlers();
  a->MountRoutes();
  // Sized now that the database is open: what it holds is no longer free for clients.
  a->max_connections_ = config.max_connections > 0
                            ? static_cast<size_t>(config.max_connections)
                            : DefaultMaxConnections(descriptor_limit, OpenDescriptors());
  TESSERA_RETURN_IF_ERROR(a->BuildServer());
  return a;
}

TesseraApp::~TesseraApp() {
  for (std::jthread* t : {&maintenance_, &key_rotation_}) {
    t->request_stop();
    if (t->joinable()) t->join();
  }
}

void TesseraApp::Run() {
  maintenance_ = std::jthread([this](std::stop_token st) {
    CollectGarbageEvery(st, std::chrono::minutes(10));
  });
  if (config_.key_rotation_days > 0) {
    key_rotation_ = std::jthread([this](std::stop_token st) { RotateKeysWhenDue(st); });
  }
  IdleMemoryTrimmer trimmer([this] { return access_log_->requests_seen(); });
  std::jthread trimming([&trimmer](std::stop_token st) { trimmer.Run(st); });
  mail_worker_->Start();
  delivery_worker_->Start();
  server_->Run();
  trimming.request_stop();
  // Stop background work before the caller tears down logging.
  mail_worker_->Stop();
  delivery_worker_->Stop();
  for (std::jthread* t : {&maintenance_, &key_rotation_}) {
    t->request_stop();
    if (t->joinable()) t->join();
  }
}

int TesseraApp::Workers() const { return config_.workers > 0 ? config_.workers : 2 * Cores(); }

// Hash waiters: those hashing plus the most that may queue (--hash-queue bounds the admission
// by expected wait, --hash-max-wait), and two spare for their database work. Their own pool:
// a queue of waiting sign-ins never holds the workers the token endpoints need.
int TesseraApp::HashingWorkers() const {
  services::PasswordHasherOptions hashing = HasherOptions(config_);
  return hashing.concurrency + hashing.max_queue + 2;
}

int TesseraApp::Cores() {
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

void TesseraApp::BuildPages() {
  CoreServices& c = *core_;
  pages_ = std::make_unique<web::PageRenderer>();
  page_kit_ = std::make_unique<web::PageKit>(c.apps(), c.browser_sessions(), *pages_);
  page_kit_->mfa = &c.mfa_sign_in();
  page_kit_->factors = &c.factors();
  mfa_pages_ = std::make_unique<web::MfaPages>(*page_kit_, c.accounts(), c.mfa_sign_in(),
                                               c.factors());
  page_gates_ = std::make_unique<web::PageGates>(*page_kit_);
  federation_pages_ = std::make_unique<web::FederationPages>(*page_kit_, c.federation());
  login_pages_ = std::make_unique<web::LoginPages>(*page_kit_, c.accounts(), c.clients(),
                                                   federation_pages_.get());
  login_pages_->SetPasskeys(mfa_pages_.get());
  landing_pages_ = std::make_unique<web::LandingPages>(*page_kit_);
  asset_routes_ = std::make_unique<web::AssetRoutes>(*pages_, c.apps());
  account_pages_ = std::make_unique<web::AccountPages>(*page_kit_, c.accounts(), c.sessions(),
                                                       c.authorization(), c.api_tokens(),
                                                       &c.federation());
}

void TesseraApp::BuildAccountAndSystemApis() {
  CoreServices& c = *core_;
  account_api_ =
      std::make_unique<api::AccountApi>(c.apps(), c.accounts(), c.sessions(), c.api_tokens(),
                                        c.authenticator(), &c.mfa_sign_in());
  mfa_api_ = std::make_unique<api::MfaApi>(c.apps(), c.authenticator(), c.sessions(), c.factors(),
                                           c.mfa_sign_in());
  system_api_ = std::make_unique<api::SystemApi>(
      [&store = c.store()] { return store.Ping(); }, [this] { return shutting_down_.load(); },
      c.apps(), c.keys(), c.metrics(), config_.metrics_token);
}

void TesseraApp::BuildOAuthEndpoints() {
  CoreServices& c = *core_;
  token_endpoint_ =
      std::make_unique<oauth::TokenEndpoint>(c.apps(), c.clients(), c.grant_types(), c.dpop());
  authorize_endpoint_ =
      std::make_unique<oauth::AuthorizeEndpoint>(*page_kit_, c.authorization(), c.accounts());
  userinfo_endpoint_ =
      std::make_unique<oauth::UserInfoEndpoint>(c.apps(), c.oauth_tokens(), &c.dpop());
  introspection_endpoints_ =
      std::make_unique<oauth::TokenIntrospectionEndpoints>(c.apps(), c.clients(), c.oauth_tokens());
  discovery_endpoint_ = std::make_unique<oauth::DiscoveryEndpoint>(c.apps(), c.keys(), c.grant_types());
  end_session_endpoint_ =
      std::make_unique<oauth::EndSessionEndpoint>(*page_kit_, c.clients(), c.oauth_tokens());
  device_authorization_endpoint_ = std::make_unique<oauth::DeviceAuthorizationEndpoint>(
      c.apps(), c.clients(), c.device_authorizations());
  device_pages_ =
      std::make_unique<oauth::DevicePages>(*page_kit_, c.device_authorizations(), c.accounts());
  pushed_authorization_endpoint_ = std::make_unique<oauth::PushedAuthorizationEndpoint>(
      c.apps(), c.clients(), c.authorization(), c.dpop());
  client_registration_endpoint_ = std::make_unique<oauth::ClientRegistrationEndpoint>(
      c.apps(), c.dynamic_registration());
}

void TesseraApp::BuildEmailHandlers() {
  CoreServices& c = *core_;
  email_api_ = std::make_unique<api::EmailApi>(c.apps(), c.authenticator(), c.accounts(), c.sessions(),
                                               c.verification(), c.resets(), c.passwordless(),
                                               &c.mfa_sign_in());
  email_pages_ = std::make_unique<web::EmailPages>(*page_kit_, c.accounts(), c.verification(),
                                                   c.resets(), c.passwordless());
}

void TesseraApp::BuildConsoleHandlers() {
  CoreServices& c = *core_;
  server_api_ =
      std::make_unique<api::ServerApi>(c.apps(), c.app_api_keys(), c.user_management(), c.audit(),
                                       &c.federation(), &c.mfa_sign_in(), &c.factors());
  console_caller_ = std::make_unique<api::ConsoleCaller>(c.apps(), c.authenticator(), c.console());
  const api::ConsoleCaller& caller = *console_caller_;
  console_apps_api_ = std::make_unique<api::ConsoleAppsApi>(caller, c.apps(), c.console());
  console_mail_domain_api_ = std::make_unique<api::ConsoleMailDomainApi>(caller, c.mail_domains());
  console_credentials_api_ =
      std::make_unique<api::ConsoleCredentialsApi>(caller, c.app_api_keys(), c.clients());
  console_registration_tokens_api_ = std::make_unique<api::ConsoleRegistrationTokensApi>(
      caller, c.initial_access_tokens(), c.apps());
  console_providers_api_ = std::make_unique<api::ConsoleProvidersApi>(
      *console_caller_, c.identity_providers(), c.apps());
  console_webhooks_api_ =
      std::make_unique<api::ConsoleWebhooksApi>(*console_caller_, c.webhooks(), c.clock());
  console_users_api_ =
      std::make_unique<api::ConsoleUsersApi>(caller, c.user_management(), &c.factors());
  console_members_api_ = std::make_unique<api::ConsoleMembersApi>(caller, c.console(), c.invitations());
  console_audit_api_ = std::make_unique<api::ConsoleAuditApi>(caller, c.audit());
  admin_api_ = std::make_unique<api::AdminApi>(caller, c.apps(), c.user_management(), c.audit());

  console_layout_ = std::make_unique<web::ConsoleLayout>(*page_kit_);
  const web::ConsoleLayout& layout = *console_layout_;
  console_gates_ =
      std::make_unique<web::ConsoleGates>(*page_kit_, layout, c.accounts(), c.console());
  audit_table_ = std::make_unique<web::AuditTable>(web::AuditTable::Services{
      c.audit(), c.accounts(), c.clients(), c.app_api_keys(), c.identity_providers(),
      page_kit_->urls, c.clock()});
  console_app_pages_ = std::make_unique<web::ConsoleAppPages>(
      layout, c.accounts(), c.apps(), c.console(), c.user_management(), c.app_api_keys(),
      c.clients(), config_.access_token_ttl_s, c.refresh_tokens().options().refresh_token_ttl_s);
  console_credential_pages_ = std::make_unique<web::ConsoleCredentialPages>(
      layout, c.app_api_keys(), c.clients(), c.initial_access_tokens(), c.keys().master_key(),
      c.clock());
  console_provider_pages_ =
      std::make_unique<web::ConsoleProviderPages>(layout, c.identity_providers());
  console_webhook_pages_ = std::make_unique<web::ConsoleWebhookPages>(
      layout, c.webhooks(), c.keys().master_key(), c.clock());
  console_insight_pages_ =
      std::make_unique<web::ConsoleInsightPages>(layout, c.insights(), c.metrics());
  console_user_pages_ = std::make_unique<web::ConsoleUserPages>(layout, c.user_management(),
                                                             &c.federation(), &c.factors());
  console_member_pages_ = std::make_unique<web::ConsoleMemberPages>(layout, c.console(), c.invitations());
  console_invitation_pages_ =
      std::make_unique<web::ConsoleInvitationPages>(layout, c.invitations());
  console_audit_pages_ = std::make_unique<web::ConsoleAuditPages>(layout, *audit_table_);
  console_mail_domain_pages_ =
      std::make_unique<web::ConsoleMailDomainPages>(layout, c.mail_domains());
  console_text_pages_ = std::make_unique<web::ConsoleTextPages>(layout, c.apps());
  admin_pages_ = std::make_unique<web::AdminPages>(layout, c.apps(), c.user_management(),
                                                   *audit_table_);
}

void TesseraApp::MountRoutes() {
  router_ = std::make_unique<http::Router>(core_->metrics());
  system_api_->Mount(*router_);
  account_api_->Mount(*router_);
  mfa_api_->Mount(*router_);
  token_endpoint_->Mount(*router_);
  oauth::MountPreflight(*router_, "/apps/{app}/oauth/token");
  authorize_endpoint_->Mount(*router_);
  userinfo_endpoint_->Mount(*router_);
  introspection_endpoints_->Mount(*router_);
  discovery_endpoint_->Mount(*router_);
  end_session_endpoint_->Mount(*router_);
  device_authorization_endpoint_->Mount(*router_);
  device_pages_->Mount(*router_);
  pushed_authorization_endpoint_->Mount(*router_);
  client_registration_endpoint_->Mount(*router_);
  login_pages_->Mount(*router_, *page_gates_);
  mfa_pages_->Mount(*router_, *page_gates_);
  federation_pages_->Mount(*router_, *page_gates_);
  landing_pages_->Mount(*router_, *page_gates_);
  asset_routes_->Mount(*router_);
  account_pages_->Mount(*router_, *page_gates_);
  email_api_->Mount(*router_);
  email_pages_->Mount(*router_, *page_gates_);
  server_api_->Mount(*router_);
  MountConsoles();
  api::DocsApi().Mount(*router_);  // /api/openapi.json, /api/docs (stateless)
  access_log_ = std::make_unique<AccessLog>(*router_);
}

// The consoles' JSON APIs, then their pages (each behind its console gate).
void TesseraApp::MountConsoles() {
  console_apps_api_->Mount(*router_);
  console_mail_domain_api_->Mount(*router_);
  console_credentials_api_->Mount(*router_);
  console_registration_tokens_api_->Mount(*router_);
  console_providers_api_->Mount(*router_);
  console_webhooks_api_->Mount(*router_);
  console_users_api_->Mount(*router_);
  console_members_api_->Mount(*router_);
  console_audit_api_->Mount(*router_);
  admin_api_->Mount(*router_);
  const web::ConsoleGates& gates = *console_gates_;
  console_app_pages_->Mount(*router_, gates);
  console_credential_pages_->Mount(*router_, gates);
  console_provider_pages_->Mount(*router_, gates);
  console_webhook_pages_->Mount(*router_, gates);
  console_insight_pages_->Mount(*router_, gates);
  console_user_pages_->Mount(*router_, gates);
  console_member_pages_->Mount(*router_, gates);
  console_invitation_pages_->Mount(*router_, gates);
  console_audit_pages_->Mount(*router_, gates);
  console_mail_domain_pages_->Mount(*router_, gates);
  console_text_pages_->Mount(*router_, gates);
  admin_pages_->Mount(*router_, gates);
}

Status TesseraApp::BuildServer() {
  http::ServerOptions so;
  TESSERA_ASSIGN_OR_RETURN(std::tie(so.host, so.port), HostPort(config_.listen, "--listen"));
  if (!config_.metrics_listen.empty()) {
    TESSERA_ASSIGN_OR_RETURN(std::tie(so.metrics_host, so.metrics_port),
                             HostPort(config_.metrics_listen, "--metrics-listen"));
  }
  TESSERA_ASSIGN_OR_RETURN(so.forwarding, ForwardingFrom(config_));
  so.max_connections = max_connections_;
  so.io_threads = config_.io_threads > 0 ? config_.io_threads : Cores();
  so.workers = Workers();
  so.hashing_workers = HashingWorkers();
  so.max_body_bytes = config_.max_body_bytes;
  // A browser gets a page for an unknown path, an API client the JSON problem.
  so.not_found = [pages = landing_pages_.get()](http::Request& req) {
    return pages->NotFound(req);
  };
  so.read_timeout = std::chrono::seconds(config_.read_timeout_s);
  so.idle_timeout = std::chrono::seconds(config_.idle_timeout_s);
  so.drain_timeout = std::chrono::seconds(config_.drain_timeout_s);
  so.shutdown_delay =
      std::chrono::milliseconds(static_cast<int64_t>(config_.shutdown_delay_s * 1000));
  so.on_shutdown = [this] {
    shutting_down_ = true;
    LogJson(spdlog::level::info, "shutting_down",
            {{"serving_for_s", config_.shutdown_delay_s},
             {"then", "stop accepting and finish requests in flight"}});
  };
  server_ = std::make_unique<http::Server>(so, *router_, *access_log_, core_->metrics());
  return OkStatus();
}

// SMTP when --smtp-url is set; otherwise (a local run) .eml files in DATA_DIR/outbox with
// their links in the log. Each mail the core's queue takes wakes this worker.
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
  mail_worker_ = std::make_unique<mail::MailWorker>(core_->store(), *mail_transport_,
                                                    core_->clock(), core_->metrics(),
                                                    std::move(options));
  core_->OpenMailQueue(mail_worker_.get());
  return OkStatus();
}

// The HTTP deliveries the store queues (back-channel logout tokens, webhooks), sent by their own client:
// shorter timeouts than the providers', and the operator's own rule for private addresses.
void TesseraApp::BuildDeliveries() {
  services::CurlOutboundHttpOptions http;
  http.user_agent = "Tessera/" TESSERA_VERSION;
  http.connect_timeout_ms = 3000;
  http.total_timeout_ms = 10000;
  // Only the status is read, but the client's limit on a body fails the request: a receiver
  // answering 200 with a page must not count as a failure, so the default (1 MiB) stays.
  http.allow_private_addresses = config_.outbound_allow_private_hosts;
  http.private_hosts_flag = "--outbound-allow-private-hosts";
  delivery_http_ = std::make_unique<services::CurlOutboundHttp>(std::move(http));
  backchannel_logout_ = std::make_unique<services::BackchannelLogout>(
      core_->store(), core_->store(), core_->token_issuer());
  services::DeliveryWorkerOptions worker;
  worker.lease_ms = config_.delivery_lease_s * 1000;
  delivery_worker_ = std::make_unique<services::DeliveryWorker>(
      core_->store(), *delivery_http_, core_->clock(), core_->metrics(), worker);
  delivery_worker_->SetPreparer(store::DeliveryKind::kBackchannelLogout, *backchannel_logout_);
  webhook_sender_ = std::make_unique<services::WebhookSender>(core_->store(), core_->webhooks(),
                                                              core_->clock());
  delivery_worker_->SetPreparer(store::DeliveryKind::kWebhook, *webhook_sender_);
}

void TesseraApp::RotateKeysWhenDue(std::stop_token stop) {
  services::KeyService& keys = core_->keys();
  auto period = std::chrono::milliseconds(keys.rotation_check_interval_ms());
  std::mutex mu;
  std::condition_variable_any cv;
  std::unique_lock lock(mu);
  while (!stop.stop_requested()) {
    if (auto rotated = keys.RotateIfDue(); !rotated.ok()) {
      LogJson(spdlog::level::warn, "key_rotation_failed", {{"error", rotated.status().ToString()}});
    } else {
      for (const auto& r : *rotated) {
        LogJson(spdlog::level::info, "signing_key_rotated",
                {{"kid", r.kid}, {"alg", crypto::JwsAlgName(r.alg)}, {"sign_from", r.sign_from_ms}});
      }
    }
    cv.wait_for(lock, stop, period, [] { return false; });
  }
}

// The consoles' Insights read complete days from the rollup (audit/insights.h): count the
// days that ended since, at start and then every pass (31 days a pass; any node may).
void TesseraApp::RollUpAuditDays() {
  auto rolled = core_->insights().RollUp();
  if (!rolled.ok()) {
    LogJson(spdlog::level::warn, "audit_rollup_failed", {{"error", rolled.status().ToString()}});
  } else if (*rolled > 0) {
    LogJson(spdlog::level::info, "audit_days_rolled_up", {{"days", *rolled}});
  }
}

void TesseraApp::CollectGarbageEvery(std::stop_token stop, std::chrono::minutes period) {
  std::mutex mu;
  std::condition_variable_any cv;
  std::unique_lock lock(mu);
  for (;;) {
    RollUpAuditDays();
    cv.wait_for(lock, stop, period, [] { return false; });  // wakes early only on stop
    if (stop.stop_requested()) return;
    auto stats = core_->store().CollectGarbage(core_->clock().NowMillis());
    if (stats.ok()) {
      LogJson(spdlog::level::info, "garbage_collected",
              {{"refresh_tokens", stats->refresh_tokens}, {"sessions", stats->sessions},
               {"api_tokens", stats->api_tokens}, {"email_tokens", stats->email_tokens},
               {"sent_mail", stats->sent_mail},
               {"revoked_access_tokens", stats->revoked_access_tokens},
               {"federation_tickets", stats->federation_tickets},
               {"mfa_challenges", stats->mfa_challenges},
               {"device_authorizations", stats->device_authorizations},
               {"pushed_requests", stats->pushed_requests},
               {"dpop_proofs", stats->dpop_proofs},
               {"finished_deliveries", stats->finished_deliveries}});
    } else {
      LogJson(spdlog::level::warn, "garbage_collection_failed", {{"error", stats.status().ToString()}});
    }
    auto audit = core_->audit().ApplyRetention(config_.audit_retention_days);
    if (!audit.ok()) {
      LogJson(spdlog::level::warn, "audit_retention_failed",
              {{"error", audit.status().ToString()}});
    } else if (*audit > 0) {
      LogJson(spdlog::level::info, "audit_events_expired", {{"deleted", *audit}});
    }
  }
}

}  // namespace tessera::app
