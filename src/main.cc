// tessera: the command line. `serve` runs the server; the other commands administer the
// same database (SQLite in --data-dir, or PostgreSQL with --database-url).
#include <CLI/CLI.hpp>
#include <spdlog/async.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <boost/json.hpp>
#include <iostream>

#include "api/views.h"
#include "app/tessera_app.h"
#include "base/log.h"
#include "email_flows/mail_templates.h"
#include "store/sql/migrations.h"

namespace {

using tessera::Status;
using tessera::app::Config;

// JSON lines: {"ts":…,"level":…, then the fields LogJson writes (base/log.h).
void SetUpLogging(bool to_stderr, const std::string& level) {
  spdlog::init_thread_pool(8192, 1);
  std::shared_ptr<spdlog::sinks::sink> sink;
  if (to_stderr) {
    sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  } else {
    sink = std::make_shared<spdlog::sinks::stdout_sink_mt>();
  }
  // Request lines are logged from the network threads: if stdout backs up and the queue
  // fills, drop the oldest lines rather than stall the server.
  auto logger = std::make_shared<spdlog::async_logger>(
      "tessera", sink, spdlog::thread_pool(), spdlog::async_overflow_policy::overrun_oldest);
  logger->set_pattern(R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l",%v)",
                      spdlog::pattern_time_type::utc);
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);
  spdlog::flush_every(std::chrono::seconds(1));
}

// Prints the error with every field error, e.g. "validation failed; email is required".
int Fail(const Status& s) {
  std::cerr << "tessera: " << s.message();
  for (const auto& f : s.field_errors()) std::cerr << "; " << f.field << " " << f.message;
  std::cerr << "\n";
  spdlog::shutdown();
  return 1;
}

void AddDatabaseOptions(CLI::App* cmd, Config& c) {
  cmd->add_option("--data-dir", c.db.data_dir, "Directory of the SQLite database and local master key")
      ->envname("TESSERA_DATA_DIR")->capture_default_str();
  cmd->add_option("--database-url", c.db.database_url, "postgres://… to use PostgreSQL")
      ->envname("TESSERA_DATABASE_URL");
  cmd->add_option("--master-key-file", c.db.master_key_file,
                  "File with the base64 master key (else TESSERA_MASTER_KEY, else DATA_DIR/master.key)")
      ->envname("TESSERA_MASTER_KEY_FILE");
  cmd->add_option("--public-url", c.public_url, "External base URL (for issuer and endpoint URLs)")
      ->envname("TESSERA_PUBLIC_URL");
  cmd->add_option("--db-pool-size", c.db.pool_size, "PostgreSQL connections / SQLite readers")
      ->envname("TESSERA_DB_POOL_SIZE")->capture_default_str()->check(CLI::Range(1, 256));
}

void AddServeOptions(CLI::App* s, Config& c) {
  AddDatabaseOptions(s, c);
  auto opt = [&](const char* name, auto& field, const char* env, const char* help) {
    return s->add_option(name, field, help)->envname(env)->capture_default_str();
  };
  opt("--listen", c.listen, "TESSERA_LISTEN", "HOST:PORT to listen on");
  opt("--threads", c.io_threads, "TESSERA_THREADS", "Network threads (0: one per core)");
  opt("--workers", c.workers, "TESSERA_WORKERS",
      "Worker threads for database work (0: two per core; password hashing has its own)")
      ->check(CLI::Range(0, 1024));
  opt("--max-body-bytes", c.max_body_bytes, "TESSERA_MAX_BODY_BYTES", "Largest request body");
  opt("--read-timeout", c.read_timeout_s, "TESSERA_READ_TIMEOUT", "Seconds to receive a request");
  opt("--idle-timeout", c.idle_timeout_s, "TESSERA_IDLE_TIMEOUT", "Seconds a keep-alive connection may idle");
  opt("--drain-timeout", c.drain_timeout_s, "TESSERA_DRAIN_TIMEOUT", "Seconds to finish requests at shutdown");
  opt("--jwt-alg", c.jwt_alg, "TESSERA_JWT_ALG", "Signing algorithm: ES256, EdDSA or RS256")
      ->check(CLI::IsMember({"ES256", "EdDSA", "RS256"}));
  opt("--access-token-ttl", c.access_token_ttl_s, "TESSERA_ACCESS_TOKEN_TTL", "Access token lifetime, seconds")
      ->check(CLI::Range(1, 86400));
  opt("--refresh-token-ttl", c.refresh_token_ttl_s, "TESSERA_REFRESH_TOKEN_TTL", "Refresh token lifetime, seconds");
  opt("--session-ttl", c.session_ttl_s, "TESSERA_SESSION_TTL", "Absolute session lifetime, seconds");
  opt("--browser-session-idle-ttl", c.browser_session_idle_ttl_s, "TESSERA_BROWSER_SESSION_IDLE_TTL",
      "Hosted-page sign-in: ends after this many idle seconds");
  opt("--browser-session-ttl", c.browser_session_ttl_s, "TESSERA_BROWSER_SESSION_TTL",
      "Hosted-page sign-in: absolute lifetime, seconds");
  opt("--login-max-failures-per-account", c.login_max_failures_per_account,
      "TESSERA_LOGIN_MAX_FAILURES_PER_ACCOUNT", "Failed sign-ins per identifier per window");
  opt("--login-max-failures-per-ip", c.login_max_failures_per_ip,
      "TESSERA_LOGIN_MAX_FAILURES_PER_IP", "Failed sign-ins per client IP per window");
  opt("--login-throttle-window", c.login_throttle_window_s, "TESSERA_LOGIN_THROTTLE_WINDOW",
      "Sign-in throttling window, seconds");
  opt("--audit-retention-days", c.audit_retention_days, "TESSERA_AUDIT_RETENTION_DAYS",
      "Audit events older than this many days are deleted (0: keep all)")
      ->check(CLI::Range(int64_t{0}, int64_t{36500}));
  opt("--argon2-memory-kib", c.argon2_memory_kib, "TESSERA_ARGON2_MEMORY_KIB", "argon2id memory per hash, KiB")
      ->check(CLI::Range(8, 4 * 1024 * 1024));
  opt("--argon2-iterations", c.argon2_iterations, "TESSERA_ARGON2_ITERATIONS", "argon2id passes")
      ->check(CLI::Range(1, 100));
  opt("--hash-concurrency", c.hash_concurrency, "TESSERA_HASH_CONCURRENCY", "Parallel password hashes (0: one per core)");
  opt("--hash-queue", c.hash_queue, "TESSERA_HASH_QUEUE", "Password checks that may wait before 503");
  opt("--password-min-length", c.password_min_length, "TESSERA_PASSWORD_MIN_LENGTH", "Shortest password")
      ->check(CLI::Range(6, 64));
  opt("--smtp-url", c.smtp_url, "TESSERA_SMTP_URL",
      "smtp://host:port or smtps://host:port (empty: mail goes to DATA_DIR/outbox)");
  opt("--smtp-username", c.smtp_username, "TESSERA_SMTP_USERNAME", "SMTP AUTH user name");
  s->add_option("--smtp-password", c.smtp_password,
                "SMTP AUTH password (visible to `ps`; prefer TESSERA_SMTP_PASSWORD)")
      ->envname("TESSERA_SMTP_PASSWORD");  // no capture_default_str: never printed
  opt("--smtp-starttls", c.smtp_starttls, "TESSERA_SMTP_STARTTLS",
      "smtp://: upgrade with STARTTLS when offered (auto), or require it (always), or not (never)")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  opt("--mail-from", c.mail_from, "TESSERA_MAIL_FROM",
      "Sender of mail, \"Name <addr>\" (an app's mail_from setting overrides it)");
  opt("--mail-retry-base", c.mail_retry_base_s, "TESSERA_MAIL_RETRY_BASE",
      "Seconds before the first retry of a failed send; doubles each time, up to 1 h")
      ->check(CLI::Range(int64_t{1}, int64_t{3600}));
  opt("--log-level", c.log_level, "TESSERA_LOG_LEVEL", "trace, debug, info, warn, error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));
}

std::string Redacted(const std::string& url) {
  size_t at = url.find('@'), scheme = url.find("://");
  if (at == std::string::npos || scheme == std::string::npos) return url;
  size_t colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

int Serve(Config c) {
  SetUpLogging(false, c.log_level);
  tessera::LogJson(spdlog::level::info, "config",
                   {{"listen", c.listen}, {"public_url", c.public_url},
                    {"database", c.db.database_url.empty() ? "sqlite:" + c.db.SqlitePath()
                                                           : Redacted(c.db.database_url)},
                    {"workers", c.workers}, {"jwt_alg", c.jwt_alg},
                    {"access_token_ttl", c.access_token_ttl_s},
                    {"argon2_memory_kib", c.argon2_memory_kib},
                    {"argon2_iterations", c.argon2_iterations},
                    {"max_body_bytes", c.max_body_bytes},
                    {"mail", c.smtp_url.empty() ? "outbox:" + c.db.data_dir + "/outbox"
                                                : Redacted(c.smtp_url)},
                    {"smtp_username", c.smtp_username}, {"smtp_starttls", c.smtp_starttls},
                    {"mail_from", c.mail_from}, {"version", TESSERA_VERSION}});
  auto app = tessera::app::TesseraApp::Build(c);
  if (!app.ok()) return Fail(app.status());
  auto port = (*app)->Listen();
  if (!port.ok()) return Fail(port.status());
  tessera::LogJson(spdlog::level::info, "listening", {{"port", *port}, {"public_url", c.public_url}});
  std::cerr << "\nTessera " << TESSERA_VERSION << " is running.\n"
            << "  Default app issuer: " << c.public_url << "/apps/default\n"
            << "  Account API:        " << c.public_url << "/apps/default/api/…  (docs/api.md)\n"
            << "  Health:             " << c.public_url << "/healthz  /readyz  /metrics\n"
            << "  Developer console:  " << c.public_url << "/console  (sign up there)\n"
            << "  Operator console:   " << c.public_url << "/admin\n"
            << "  API docs:           " << c.public_url << "/api/docs\n"
            << "Create the first operator:\n  build/tessera admin create-user --data-dir "
            << c.db.data_dir << " --email you@example.com --password-stdin --admin\n\n";
  (*app)->Run();
  tessera::LogJson(spdlog::level::info, "stopped");
  spdlog::shutdown();
  return 0;
}

int Migrate(const Config& c) {
  auto store = tessera::app::OpenConfiguredStore(c.db);  // opening applies pending migrations
  if (!store.ok()) return Fail(store.status());
  std::cout << "{\"migrated\":true,\"backend\":\"" << (*store)->Backend() << "\"}\n";
  return 0;
}

struct AdminUserArgs {
  std::string app, email, username, password;  // app: "default", or "console" with --admin
  bool password_stdin = false, admin = false, json = false;
};

int CreateUser(const Config& c, AdminUserArgs a) {
  if (a.password_stdin) std::getline(std::cin, a.password);
  if (a.password.empty()) return Fail(tessera::InvalidArgumentError("give --password or --password-stdin"));
  // An operator is an admin of the console app (it signs in to /admin).
  if (a.app.empty()) a.app = a.admin ? "console" : "default";
  auto app = tessera::app::TesseraApp::Build(c);
  if (!app.ok()) return Fail(app.status());
  auto tenant = (*app)->apps().Resolve(a.app);
  if (!tenant.ok()) return Fail(tessera::NotFoundError("no such app: " + a.app));
  tessera::services::SignupInput in;
  in.by_operator = true;
  in.email = a.email;
  in.password = a.password;
  if (!a.username.empty()) in.username = a.username;
  in.email_verified = true;  // the operator vouches for the address
  if (a.admin) in.roles = {"admin"};
  auto user = (*app)->accounts().Signup(*tenant, std::move(in));
  if (!user.ok()) {
    return Fail(user.status());
  }
  auto view = tessera::api::UserView(*user, *tenant);
  if (a.json) {
    std::cout << boost::json::serialize(view) << "\n";
  } else {
    std::cout << "Created " << (a.admin ? "admin " : "user ") << user->email << " (" << user->id
              << ") in app " << a.app << "\n";
  }
  return 0;
}

struct UpdateAppArgs {
  std::string app = "default";
  std::string allow_signup, require_verified_email, email_code_login;  // "", "true", "false"
  std::optional<std::string> mail_from;
  std::vector<std::string> redirect_uris;
  bool clear_redirect_uris = false;
  bool json = false;
};

int UpdateApp(const Config& c, const UpdateAppArgs& a) {
  auto app = tessera::app::TesseraApp::Build(c);
  if (!app.ok()) return Fail(app.status());
  auto tenant = (*app)->apps().Resolve(a.app);
  if (!tenant.ok()) return Fail(tessera::NotFoundError("no such app: " + a.app));
  auto s = tessera::services::ParseAppSettings(tenant->settings_json);
  auto flag = [](const std::string& v, bool& out) { if (!v.empty()) out = v == "true"; };
  flag(a.allow_signup, s.allow_signup);
  flag(a.require_verified_email, s.require_verified_email);
  flag(a.email_code_login, s.email_code_login);
  if (a.mail_from) s.mail_from = *a.mail_from;
  if (a.clear_redirect_uris) s.redirect_uris.clear();
  for (const auto& u : a.redirect_uris) {
    if (!tessera::IsValidRedirectUri(u)) {
      return Fail(tessera::ValidationError({{"redirect_uris", "not an allowed redirect URI: " + u}}));
    }
    s.redirect_uris.push_back(u);
  }
  auto updated = (*app)->apps().UpdateSettings(a.app, s);
  if (!updated.ok()) return Fail(updated.status());
  boost::json::value settings = boost::json::parse(updated->settings_json);
  if (a.json) {
    std::cout << boost::json::serialize(boost::json::object{{"slug", updated->slug},
                                                            {"settings", settings}}) << "\n";
  } else {
    std::cout << "Updated app " << updated->slug << ": " << boost::json::serialize(settings) << "\n";
  }
  return 0;
}

struct AuditArgs {
  std::string app, action, actor, subject, cursor;
  int limit = 50;
  bool json = false;
};

// Newest first; --json prints one event per line (JSON lines).
int ListAudit(const Config& c, const AuditArgs& a) {
  auto app = tessera::app::TesseraApp::Build(c);
  if (!app.ok()) return Fail(app.status());
  tessera::store::AuditFilter f;
  if (!a.app.empty()) {
    auto tenant = (*app)->apps().Resolve(a.app);
    if (!tenant.ok()) return Fail(tessera::NotFoundError("no such app: " + a.app));
    f.app_id = tenant->id;
  }
  if (!a.action.empty()) f.action = a.action;
  if (!a.actor.empty()) f.actor_id = a.actor;
  if (!a.subject.empty()) f.subject_id = a.subject;
  if (!a.cursor.empty()) f.cursor = a.cursor;
  f.limit = a.limit;
  auto events = (*app)->audit().List(f);
  if (!events.ok()) return Fail(events.status());
  for (const auto& e : *events) {
    if (a.json) {
      std::cout << tessera::services::AuditEventJson(e) << "\n";
    } else {
      std::cout << tessera::api::Rfc3339(e.at) << "  " << e.action << "  " << e.outcome
                << "  actor=" << e.actor_type << (e.actor_id.empty() ? "" : ":" + e.actor_id)
                << "  subject=" << e.subject_type
                << (e.subject_id.empty() ? "" : ":" + e.subject_id)
                << (e.ip.empty() ? "" : "  ip=" + e.ip) << "  " << e.details_json << "  id=" << e.id
                << "\n";
    }
  }
  return 0;
}

int CreateApp(const Config& c, const std::string& slug, const std::string& name, bool json) {
  auto app = tessera::app::TesseraApp::Build(c);
  if (!app.ok()) return Fail(app.status());
  auto created = (*app)->apps().Create(slug, name);
  if (!created.ok()) {
    return Fail(created.status());
  }
  std::string issuer = (*app)->apps().IssuerFor(created->slug);
  boost::json::object view{{"id", created->id}, {"slug", created->slug}, {"name", created->name},
                           {"issuer", issuer}, {"created_at", tessera::api::Rfc3339(created->created_at)}};
  if (json) {
    std::cout << boost::json::serialize(view) << "\n";
  } else {
    std::cout << "Created app " << created->slug << " with issuer " << issuer << "\n";
  }
  return 0;
}

struct ApiKeyArgs {
  std::string app = "default", name;
  bool json = false;
};

// Prints the key once: only its hash is stored.
int CreateApiKey(const Config& c, const ApiKeyArgs& a) {
  auto app = tessera::app::TesseraApp::Build(c);
  if (!app.ok()) return Fail(app.status());
  auto tenant = (*app)->apps().Resolve(a.app);
  if (!tenant.ok()) return Fail(tessera::NotFoundError("no such app: " + a.app));
  auto key = (*app)->app_api_keys().Create(*tenant, a.name, tessera::services::CliActor());
  if (!key.ok()) return Fail(key.status());
  if (a.json) {
    boost::json::object view{{"id", key->record.id}, {"name", key->record.name},
                             {"prefix", key->record.prefix}, {"key", key->key}};
    std::cout << boost::json::serialize(view) << "\n";
  } else {
    std::cout << "API key " << key->record.name << " of app " << a.app << " (shown once):\n"
              << key->key << "\n";
  }
  return 0;
}

struct AdminClientArgs {
  std::string app = "default", name;
  std::vector<std::string> redirect_uris, post_logout_redirect_uris, grants, scopes;
  bool is_public = false, first_party = false, json = false;
};

int CreateClient(const Config& c, AdminClientArgs a) {
  auto app = tessera::app::TesseraApp::Build(c);
  if (!app.ok()) return Fail(app.status());
  auto tenant = (*app)->apps().Resolve(a.app);
  if (!tenant.ok()) return Fail(tessera::NotFoundError("no such app: " + a.app));
  auto created = (*app)->clients().Register(
      *tenant, {a.name, a.is_public, a.first_party, a.redirect_uris,
                  a.post_logout_redirect_uris, a.grants, a.scopes});
  if (!created.ok()) {
    return Fail(created.status());
  }
  const auto& cl = created->client;
  auto list = [](const std::vector<std::string>& v) {
    boost::json::array a;
    for (const auto& s : v) a.emplace_back(s);
    return a;
  };
  boost::json::object view{{"client_id", cl.client_id}, {"app", a.app}, {"name", cl.name},
                           {"public", cl.is_public}, {"first_party", cl.first_party},
                           {"redirect_uris", list(cl.redirect_uris)},
                           {"post_logout_redirect_uris", list(cl.post_logout_redirect_uris)},
                           {"grant_types", list(cl.grant_types)}, {"scopes", list(cl.scopes)},
                           {"token_endpoint", (*app)->apps().IssuerFor(a.app) + "/oauth/token"}};
  if (created->secret) view["client_secret"] = *created->secret;
  if (a.json) {
    std::cout << boost::json::serialize(view) << "\n";
  } else {
    std::cout << "Created client " << cl.client_id << " in app " << a.app << "\n";
    if (created->secret) {
      std::cout << "Client secret (shown once, store it now): " << *created->secret << "\n";
    }
  }
  return 0;
}

struct TestMailArgs {
  std::string app = "default", to;
  bool json = false;
};

// Queues a `test` mail; the running server's worker sends it within seconds (with its own
// SMTP settings and --mail-from), so this checks the whole path an operator configured.
int SendTestMail(const Config& c, const TestMailArgs& a) {
  auto app = tessera::app::TesseraApp::Build(c);
  if (!app.ok()) return Fail(app.status());
  auto tenant = (*app)->apps().Resolve(a.app);
  if (!tenant.ok()) return Fail(tessera::NotFoundError("no such app: " + a.app));
  kainjow::mustache::data vars;
  vars.set("app_name", tenant->name);
  vars.set("link", (*app)->apps().IssuerFor(tenant->slug) + "/login");
  auto content = tessera::services::RenderMail("test", vars);
  if (!content.ok()) return Fail(content.status());
  Status queued = (*app)->mailer().Send(*tenant, "test", a.to, *content);
  if (!queued.ok()) return Fail(queued);
  if (a.json) {
    std::cout << boost::json::serialize(boost::json::object{
                     {"queued", true}, {"app", a.app}, {"to", a.to}, {"subject", content->subject}})
              << "\n";
  } else {
    std::cout << "Queued a test mail to " << a.to << " (\"" << content->subject
              << "\"); the running server sends it within seconds.\n";
  }
  return 0;
}

int RotateKeys(const Config& c, bool json) {
  auto app = tessera::app::TesseraApp::Build(c);
  if (!app.ok()) return Fail(app.status());
  auto kid = (*app)->keys().Rotate();
  if (!kid.ok()) return Fail(kid.status());
  (*app)->audit().Record({.action = "signing_key.rotated",
                          .actor_type = "admin",
                          .actor_id = "cli",
                          .subject_type = "signing_key",
                          .subject_id = *kid});
  if (json) {
    std::cout << "{\"kid\":\"" << *kid << "\",\"alg\":\"" << c.jwt_alg << "\"}\n";
  } else {
    std::cout << "New signing key " << *kid << " (" << c.jwt_alg
              << "); previous keys stay published for 7 days.\n";
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"Tessera: identity and authentication server"};
  cli.require_subcommand(1);
  Config config;

  auto* serve = cli.add_subcommand("serve", "Run the server");
  AddServeOptions(serve, config);

  auto* migrate = cli.add_subcommand("migrate", "Apply pending database migrations");
  AddDatabaseOptions(migrate, config);

  auto* admin = cli.add_subcommand("admin", "Administer apps and users");
  admin->require_subcommand(1);
  AdminUserArgs user_args;
  auto* create_user = admin->add_subcommand("create-user", "Create a user (an admin with --admin)");
  AddDatabaseOptions(create_user, config);
  create_user->add_option("--app", user_args.app,
                          "App slug (default: default; console with --admin)");
  create_user->add_option("--email", user_args.email, "Email address")->required();
  create_user->add_option("--username", user_args.username, "Optional username");
  create_user->add_option("--password", user_args.password, "Password (visible to `ps`; prefer --password-stdin)");
  create_user->add_flag("--password-stdin", user_args.password_stdin, "Read the password from standard input");
  create_user->add_flag("--admin", user_args.admin,
                        "Give the user the admin role (in the console app: an operator)");
  create_user->add_flag("--json", user_args.json, "Print the user as JSON");

  std::string slug, name;
  bool app_json = false;
  auto* create_app = admin->add_subcommand("create-app", "Create an app (a tenant with its own users)");
  AddDatabaseOptions(create_app, config);
  create_app->add_option("--slug", slug, "URL name: a-z, 0-9, '-'")->required();
  create_app->add_option("--name", name, "Display name")->required();
  create_app->add_flag("--json", app_json, "Print the app as JSON");

  ApiKeyArgs key_args;
  auto* create_key = admin->add_subcommand(
      "create-api-key", "Create an API key for an app's backend (the server-to-server API)");
  AddDatabaseOptions(create_key, config);
  create_key->add_option("--app", key_args.app, "App slug")->capture_default_str();
  create_key->add_option("--name", key_args.name, "What the key is for")->required();
  create_key->add_flag("--json", key_args.json, "Print the key as JSON");

  AdminClientArgs client_args;
  auto* create_client = admin->add_subcommand("create-client", "Register an OAuth 2.0 client of an app");
  AddDatabaseOptions(create_client, config);
  create_client->add_option("--app", client_args.app, "App slug")->capture_default_str();
  create_client->add_option("--name", client_args.name, "Display name")->required();
  create_client->add_option("--redirect-uri", client_args.redirect_uris, "Allowed redirect URI (repeatable)");
  create_client->add_option("--post-logout-redirect-uri", client_args.post_logout_redirect_uris,
                            "Allowed post-logout redirect URI (repeatable)");
  create_client->add_option("--grant", client_args.grants,
                            "authorization_code, refresh_token, client_credentials (repeatable)");
  create_client->add_option("--scope", client_args.scopes, "Scope it may request (repeatable)");
  create_client->add_flag("--public", client_args.is_public, "A public client (no secret; PKCE)");
  create_client->add_flag("--first-party", client_args.first_party, "Skip the consent screen");
  create_client->add_flag("--json", client_args.json, "Print the client (and secret) as JSON");

  UpdateAppArgs update_args;
  auto* update_app = admin->add_subcommand("update-app", "Change an app's settings");
  AddDatabaseOptions(update_app, config);
  auto bool_option = [&](const char* name, std::string& out, const char* help) {
    update_app->add_option(name, out, help)->check(CLI::IsMember({"true", "false"}));
  };
  update_app->add_option("--app", update_args.app, "App slug")->capture_default_str();
  bool_option("--allow-signup", update_args.allow_signup, "Anyone may sign up (true|false)");
  bool_option("--require-verified-email", update_args.require_verified_email,
              "Password sign-in needs a verified email (true|false)");
  bool_option("--email-code-login", update_args.email_code_login,
              "Allow sign-in with a code sent by email (true|false)");
  update_app->add_option("--mail-from", update_args.mail_from, "Sender of the app's mail");
  update_app->add_option("--redirect-uri", update_args.redirect_uris,
                         "Add an allowed target of API magic links (repeatable)");
  update_app->add_flag("--clear-redirect-uris", update_args.clear_redirect_uris,
                       "Remove the allowed magic-link targets first");
  update_app->add_flag("--json", update_args.json, "Print the settings as JSON");

  TestMailArgs test_mail_args;
  auto* send_test_mail = admin->add_subcommand(
      "send-test-mail", "Queue a test mail (the running server sends it: checks the SMTP settings)");
  AddDatabaseOptions(send_test_mail, config);
  send_test_mail->add_option("--app", test_mail_args.app, "App slug")->capture_default_str();
  send_test_mail->add_option("--to", test_mail_args.to, "Recipient address")->required();
  send_test_mail->add_flag("--json", test_mail_args.json, "Print the result as JSON");

  AuditArgs audit_args;
  auto* audit = admin->add_subcommand("audit", "Show audit events, newest first");
  AddDatabaseOptions(audit, config);
  audit->add_option("--app", audit_args.app, "Only this app (slug)");
  audit->add_option("--action", audit_args.action, "Only this action (e.g. user.login_failed)");
  audit->add_option("--actor", audit_args.actor, "Only this actor id");
  audit->add_option("--subject", audit_args.subject, "Only this subject id");
  audit->add_option("--cursor", audit_args.cursor, "Continue after this event id (paging)");
  audit->add_option("--limit", audit_args.limit, "At most this many events")
      ->check(CLI::Range(1, 200))->capture_default_str();
  audit->add_flag("--json", audit_args.json, "One JSON object per line");

  auto* keys = cli.add_subcommand("keys", "Manage signing keys");
  keys->require_subcommand(1);
  bool keys_json = false;
  auto* rotate = keys->add_subcommand("rotate", "Create a new signing key and retire the current one");
  AddDatabaseOptions(rotate, config);
  rotate->add_option("--jwt-alg", config.jwt_alg, "Algorithm of the new key")
      ->check(CLI::IsMember({"ES256", "EdDSA", "RS256"}))->capture_default_str();
  rotate->add_flag("--json", keys_json, "Print the new key id as JSON");

  cli.add_subcommand("version", "Print the version");

  CLI11_PARSE(cli, argc, argv);

  if (config.public_url.empty()) config.public_url = "http://" + config.listen;
  while (config.public_url.size() > 1 && config.public_url.back() == '/') config.public_url.pop_back();
  if (serve->parsed()) return Serve(config);
  // Administrative commands log to stderr, so stdout carries only their answer.
  SetUpLogging(true, "warn");
  config.argon2_memory_kib = tessera::app::Config{}.argon2_memory_kib;
  int rc = 0;
  if (migrate->parsed()) rc = Migrate(config);
  else if (create_user->parsed()) rc = CreateUser(config, user_args);
  else if (create_key->parsed()) rc = CreateApiKey(config, key_args);
  else if (create_app->parsed()) rc = CreateApp(config, slug, name, app_json);
  else if (create_client->parsed()) rc = CreateClient(config, client_args);
  else if (update_app->parsed()) rc = UpdateApp(config, update_args);
  else if (send_test_mail->parsed()) rc = SendTestMail(config, test_mail_args);
  else if (audit->parsed()) rc = ListAudit(config, audit_args);
  else if (rotate->parsed()) rc = RotateKeys(config, keys_json);
  else std::cout << "tessera " << TESSERA_VERSION << "\n";
  spdlog::shutdown();
  return rc;
}
