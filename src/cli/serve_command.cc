// `tessera serve`: every server setting as a flag with its TESSERA_* variable, then the
// server (app::TesseraApp) until SIGTERM/SIGINT.
#include <spdlog/spdlog.h>

#include <iostream>

#include "app/tessera_app.h"
#include "base/log.h"
#include "cli/commands.h"

namespace tessera::cli {
namespace {

using app::Config;

// A serve flag: its variable, and its default in --help.
template <typename T>
CLI::Option* Setting(CLI::App* serve, const char* name, T& field, const char* env,
                     const char* help) {
  return serve->add_option(name, field, help)->envname(env)->capture_default_str();
}

void AddNetworkOptions(CLI::App* s, Config& c) {
  Setting(s, "--listen", c.listen, "TESSERA_LISTEN", "HOST:PORT to listen on");
  Setting(s, "--threads", c.io_threads, "TESSERA_THREADS", "Network threads (0: one per core)");
  Setting(s, "--workers", c.workers, "TESSERA_WORKERS",
          "Worker threads for database work (0: two per core; password hashing has its own)")
      ->check(CLI::Range(0, 1024));
  Setting(s, "--max-body-bytes", c.max_body_bytes, "TESSERA_MAX_BODY_BYTES",
          "Largest request body");
  Setting(s, "--read-timeout", c.read_timeout_s, "TESSERA_READ_TIMEOUT",
          "Seconds to receive a request");
  Setting(s, "--idle-timeout", c.idle_timeout_s, "TESSERA_IDLE_TIMEOUT",
          "Seconds a keep-alive connection may idle");
  Setting(s, "--drain-timeout", c.drain_timeout_s, "TESSERA_DRAIN_TIMEOUT",
          "Seconds to finish requests at shutdown");
  Setting(s, "--shutdown-delay", c.shutdown_delay_s, "TESSERA_SHUTDOWN_DELAY",
          "At SIGTERM, seconds to go on serving with /readyz answering 503 before the listener "
          "closes: behind a load balancer, longer than its checks take to take the node out")
      ->check(CLI::Range(0.0, 300.0));
  Setting(s, "--max-connections", c.max_connections, "TESSERA_MAX_CONNECTIONS",
          "Most open client connections; at the cap the longest-idle one is closed "
          "(0: the descriptor limit minus what the process needs)")
      ->check(CLI::Range(0, 1 << 20));
}

// Behind a load balancer, and the metrics endpoint.
void AddEdgeOptions(CLI::App* s, Config& c) {
  s->add_flag("--insecure-http", c.insecure_http,
              "Allow an http:// --public-url on a host that is not loopback (a closed test "
              "network only: passwords, cookies and codes would cross it in clear text)")
      ->envname("TESSERA_INSECURE_HTTP");
  Setting(s, "--trusted-proxies", c.trusted_proxies, "TESSERA_TRUSTED_PROXIES",
          "Comma-separated addresses/CIDR networks of reverse proxies: only from these peers "
          "is the client address taken from --forwarded-header (rightmost hop not itself a "
          "trusted proxy) and the scheme from X-Forwarded-Proto (default: none)")
      ->delimiter(',');
  Setting(s, "--forwarded-header", c.forwarded_header, "TESSERA_FORWARDED_HEADER",
          "The header the trusted proxies set: x-forwarded-for (with X-Forwarded-Proto) or "
          "forwarded (RFC 7239, for= and proto=)")
      ->check(CLI::IsMember({"x-forwarded-for", "forwarded"}));
  Setting(s, "--metrics-listen", c.metrics_listen, "TESSERA_METRICS_LISTEN",
          "HOST:PORT to serve /metrics on instead of --listen (where it then answers 404)");
  s->add_option("--metrics-token", c.metrics_token,
                "Bearer token /metrics requires (visible to `ps`; prefer TESSERA_METRICS_TOKEN)")
      ->envname("TESSERA_METRICS_TOKEN");  // no capture_default_str: never printed
}

void AddTokenOptions(CLI::App* s, Config& c) {
  Setting(s, "--jwt-alg", c.jwt_alg, "TESSERA_JWT_ALG",
          "Access-token signing algorithm: ES256, EdDSA or RS256")
      ->check(CLI::IsMember({"ES256", "EdDSA", "RS256"}));
  Setting(s, "--signing-algs", c.signing_algs, "TESSERA_SIGNING_ALGS",
          "Algorithms to keep a signing key for, comma-separated (ES256, RS256, EdDSA); clients "
          "choose among them for ID tokens. --jwt-alg and RS256 are always included");
  Setting(s, "--key-rotation-days", c.key_rotation_days, "TESSERA_KEY_ROTATION_DAYS",
          "Replace each signing key when it is this many days old (0: only by `tessera keys "
          "rotate`). With several nodes, one of them rotates")
      ->check(CLI::Range(0.0, 3650.0));
  Setting(s, "--key-stage-seconds", c.key_stage_s, "TESSERA_KEY_STAGE_SECONDS",
          "A rotated key is in the JWKS this long before it signs (at least the JWKS cache "
          "lifetime, 300 s, plus 60 s for every node to reload)")
      ->check(CLI::Range(int64_t{0}, int64_t{7 * 24 * 3600}));
  Setting(s, "--access-token-ttl", c.access_token_ttl_s, "TESSERA_ACCESS_TOKEN_TTL",
          "Access token lifetime, seconds")
      ->check(CLI::Range(1, 86400));
  Setting(s, "--refresh-token-ttl", c.refresh_token_ttl_s, "TESSERA_REFRESH_TOKEN_TTL",
          "Refresh token lifetime, seconds");
  Setting(s, "--session-ttl", c.session_ttl_s, "TESSERA_SESSION_TTL",
          "Absolute session lifetime, seconds");
  Setting(s, "--browser-session-idle-ttl", c.browser_session_idle_ttl_s,
          "TESSERA_BROWSER_SESSION_IDLE_TTL",
          "Hosted-page sign-in: ends after this many idle seconds");
  Setting(s, "--browser-session-ttl", c.browser_session_ttl_s, "TESSERA_BROWSER_SESSION_TTL",
          "Hosted-page sign-in: absolute lifetime, seconds");
}

void AddThrottleAndAuditOptions(CLI::App* s, Config& c) {
  Setting(s, "--login-max-failures-per-account", c.login_max_failures_per_account,
          "TESSERA_LOGIN_MAX_FAILURES_PER_ACCOUNT", "Failed sign-ins per identifier per window");
  Setting(s, "--login-max-failures-per-ip", c.login_max_failures_per_ip,
          "TESSERA_LOGIN_MAX_FAILURES_PER_IP", "Failed sign-ins per client IP per window");
  Setting(s, "--login-throttle-window", c.login_throttle_window_s, "TESSERA_LOGIN_THROTTLE_WINDOW",
          "Sign-in throttling window, seconds");
  Setting(s, "--audit-retention-days", c.audit_retention_days, "TESSERA_AUDIT_RETENTION_DAYS",
          "Audit events older than this many days are deleted (0: keep all)")
      ->check(CLI::Range(int64_t{0}, int64_t{36500}));
}

void AddPasswordOptions(CLI::App* s, Config& c) {
  Setting(s, "--argon2-memory-kib", c.argon2_memory_kib, "TESSERA_ARGON2_MEMORY_KIB",
          "argon2id memory per hash, KiB")
      ->check(CLI::Range(8, 4 * 1024 * 1024));
  Setting(s, "--argon2-iterations", c.argon2_iterations, "TESSERA_ARGON2_ITERATIONS",
          "argon2id passes")
      ->check(CLI::Range(1, 100));
  Setting(s, "--hash-concurrency", c.hash_concurrency, "TESSERA_HASH_CONCURRENCY",
          "Parallel password hashes (0: one per core)");
  Setting(s, "--hash-queue", c.hash_queue, "TESSERA_HASH_QUEUE",
          "Most password checks that may wait at once (each waits on a thread of its own)")
      ->check(CLI::Range(0, 4096));
  Setting(s, "--hash-max-wait", c.hash_max_wait_s, "TESSERA_HASH_MAX_WAIT",
          "Seconds a password check may expect to wait (from the measured hash time); "
          "beyond it the answer is 503 with Retry-After")
      ->check(CLI::Range(0.0, 60.0));
  Setting(s, "--password-min-length", c.password_min_length, "TESSERA_PASSWORD_MIN_LENGTH",
          "Shortest password")
      ->check(CLI::Range(6, 64));
}

void AddMailOptions(CLI::App* s, Config& c) {
  Setting(s, "--smtp-url", c.smtp_url, "TESSERA_SMTP_URL",
          "smtp://host:port or smtps://host:port (empty: mail goes to DATA_DIR/outbox)");
  Setting(s, "--smtp-username", c.smtp_username, "TESSERA_SMTP_USERNAME", "SMTP AUTH user name");
  s->add_option("--smtp-password", c.smtp_password,
                "SMTP AUTH password (visible to `ps`; prefer TESSERA_SMTP_PASSWORD)")
      ->envname("TESSERA_SMTP_PASSWORD");  // no capture_default_str: never printed
  Setting(
      s, "--smtp-starttls", c.smtp_starttls, "TESSERA_SMTP_STARTTLS",
      "smtp://: upgrade with STARTTLS when offered (auto), or require it (always), or not (never)")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  Setting(s, "--mail-from", c.mail_from, "TESSERA_MAIL_FROM",
          "Sender of mail, \"Name <addr>\" (an app's mail_from overrides it only when its "
          "domain is allowed: --mail-allowed-domains, or verified by DNS)");
  Setting(s, "--mail-allowed-domains", c.mail_allowed_domains, "TESSERA_MAIL_ALLOWED_DOMAINS",
          "Comma-separated domains whose addresses apps may send From without a DNS check "
          "(others: From --mail-from, Reply-To the app's address)")
      ->delimiter(',');
  Setting(s, "--mail-retry-base", c.mail_retry_base_s, "TESSERA_MAIL_RETRY_BASE",
          "Seconds before the first retry of a failed send; doubles each time, up to 1 h")
      ->check(CLI::Range(int64_t{1}, int64_t{3600}));
}

// Sign-in through upstream providers.
void AddFederationOptions(CLI::App* s, Config& c) {
  s->add_flag("--federation-allow-private-hosts", c.federation_allow_private_hosts,
              "Let upstream sign-in providers (issuer, token, JWKS, userinfo endpoints) be on "
              "loopback, private or link-local addresses, e.g. an on-premises IdP (default: "
              "public addresses only, so app developers cannot reach the internal network)")
      ->envname("TESSERA_FEDERATION_ALLOW_PRIVATE_HOSTS");
  s->add_flag("--outbound-allow-private-hosts", c.outbound_allow_private_hosts,
              "Let deliveries Tessera sends (back-channel logout tokens to OAuth clients, webhooks "
              "to apps) go to "
              "loopback, private or link-local addresses, e.g. relying parties on the internal "
              "network (default: public addresses only, so a registered client cannot make "
              "Tessera call the internal network)")
      ->envname("TESSERA_OUTBOUND_ALLOW_PRIVATE_HOSTS");
  Setting(s, "--delivery-lease", c.delivery_lease_s, "TESSERA_DELIVERY_LEASE",
          "Seconds a node holds a delivery it is sending before another may try it again (a "
          "node that died mid-send); above 8 x 10 s, the most a batch of sends can take")
      ->check(CLI::Range(int64_t{5}, int64_t{3600}));
}

void LogConfig(const Config& c) {
  LogJson(
      spdlog::level::info, "config",
      {{"listen", c.listen},
       {"public_url", c.public_url},
       {"insecure_http", c.insecure_http},
       {"database",
        c.db.database_url.empty() ? "sqlite:" + c.db.SqlitePath() : RedactedUrl(c.db.database_url)},
       {"workers", c.workers},
       {"trusted_proxies", boost::json::value_from(c.trusted_proxies)},
       {"forwarded_header", c.forwarded_header},
       {"metrics_listen", c.metrics_listen},
       {"metrics_token", !c.metrics_token.empty()},
       {"hash_queue", c.hash_queue},
       {"hash_max_wait_s", c.hash_max_wait_s},
       {"jwt_alg", c.jwt_alg},
       {"signing_algs", c.signing_algs},
       {"key_rotation_days", c.key_rotation_days},
       {"key_stage_s", c.key_stage_s},
       {"access_token_ttl", c.access_token_ttl_s},
       {"argon2_memory_kib", c.argon2_memory_kib},
       {"argon2_iterations", c.argon2_iterations},
       {"max_body_bytes", c.max_body_bytes},
       {"mail", c.smtp_url.empty() ? "outbox:" + c.db.data_dir + "/outbox" : RedactedUrl(c.smtp_url)},
       {"smtp_username", c.smtp_username},
       {"smtp_starttls", c.smtp_starttls},
       {"mail_from", c.mail_from},
       {"mail_allowed_domains", boost::json::value_from(c.mail_allowed_domains)},
       {"federation_allow_private_hosts", c.federation_allow_private_hosts},
       {"outbound_allow_private_hosts", c.outbound_allow_private_hosts},
       {"delivery_lease_s", c.delivery_lease_s},
       {"version", TESSERA_VERSION}});
}

void PrintWelcome(const Config& c) {
  std::cerr << "\nTessera " << TESSERA_VERSION << " is running.\n"
            << "  Default app issuer: " << c.public_url << "/apps/default\n"
            << "  Account API:        " << c.public_url << "/apps/default/api/…  (docs/api.md)\n"
            << "  Health:             " << c.public_url << "/healthz  /readyz  /metrics\n"
            << "  Developer console:  " << c.public_url << "/console  (sign up there)\n"
            << "  Operator console:   " << c.public_url << "/admin\n"
            << "  API docs:           " << c.public_url << "/api/docs\n"
            << "Create the first operator:\n  build/tessera admin create-user --data-dir "
            << c.db.data_dir << " --email you@example.com --password-stdin --admin\n\n";
}

int Serve(const Config& c) {
  SetUpLogging(/*to_stderr=*/false, c.log_level);
  LogConfig(c);
  auto server = app::TesseraApp::Build(c);
  if (!server.ok()) return Fail(server.status());
  auto port = (*server)->Listen();
  if (!port.ok()) return Fail(port.status());
  LogJson(spdlog::level::info, "listening",
          {{"port", *port},
           {"public_url", c.public_url},
           {"metrics_port", (*server)->metrics_port()},
           {"max_connections", (*server)->max_connections()}});
  PrintWelcome(c);
  (*server)->Run();
  LogJson(spdlog::level::info, "stopped");
  spdlog::shutdown();
  return 0;
}

}  // namespace

void AddServeCommand(CLI::App& cli, Config& config, CommandList& commands) {
  CLI::App* serve = cli.add_subcommand("serve", "Run the server");
  AddDatabaseOptions(serve, config);
  AddNetworkOptions(serve, config);
  AddEdgeOptions(serve, config);
  AddTokenOptions(serve, config);
  AddThrottleAndAuditOptions(serve, config);
  AddPasswordOptions(serve, config);
  AddMailOptions(serve, config);
  AddFederationOptions(serve, config);
  Setting(serve, "--log-level", config.log_level, "TESSERA_LOG_LEVEL",
          "trace, debug, info, warn, error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));
  commands.push_back({serve, Serve, Logging::kServer, Database::kCreates});
}

}  // namespace tessera::cli
