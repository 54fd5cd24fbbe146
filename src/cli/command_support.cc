#include "cli/command_support.h"

#include <filesystem>

#include <spdlog/async.h>
#include <spdlog/spdlog.h>

#include <iostream>

#include "base/json_util.h"
#include "base/log_stream_sink.h"

namespace tessera::cli {

void SetUpLogging(bool to_stderr, const std::string& level) {
  // 4,096 queued lines: 0.1 s of a saturated server's access log, and 1.6 MiB resident
  // (spdlog builds every slot up front, ~400 bytes each).
  spdlog::init_thread_pool(4096, 1);
  auto sink = std::make_shared<LogStreamSink>(to_stderr ? stderr : stdout,
                                              spdlog::thread_pool().get());
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

int Fail(const Status& s) {
  std::cerr << "tessera: " << s.message();
  for (const auto& f : s.field_errors()) std::cerr << "; " << f.field << " " << f.message;
  std::cerr << "\n";
  spdlog::shutdown();
  return 1;
}

void AddDatabaseOptions(CLI::App* cmd, app::Config& c) {
  cmd->add_option("--data-dir", c.db.data_dir,
                  "Directory of the SQLite database and local master key")
      ->envname("TESSERA_DATA_DIR")
      ->capture_default_str();
  cmd->add_option("--database-url", c.db.database_url, "postgres://… to use PostgreSQL")
      ->envname("TESSERA_DATABASE_URL");
  cmd->add_option(
         "--master-key-file", c.db.master_key_file,
         "File with the base64 master key (else TESSERA_MASTER_KEY, else DATA_DIR/master.key)")
      ->envname("TESSERA_MASTER_KEY_FILE");
  cmd->add_option("--public-url", c.public_url, "External base URL (for issuer and endpoint URLs)")
      ->envname("TESSERA_PUBLIC_URL");
  cmd->add_option("--db-pool-size", c.db.pool_size, "PostgreSQL connections / SQLite readers")
      ->envname("TESSERA_DB_POOL_SIZE")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
}

CLI::Option* AddListOption(CLI::App* command, const std::string& name,
                           std::vector<std::string>& values, const std::string& help) {
  // CLI11 splits each value at the delimiter and drops empty pieces (repeated spaces).
  return command->add_option(name, values, help)->delimiter(' ');
}

Result<store::App> ResolveApp(services::AppService& apps, const std::string& slug) {
  auto app = apps.Resolve(slug);
  if (app.status().IsNotFound()) return NotFoundError("no such app: " + slug);
  return app;
}

void PrintJson(const boost::json::value& value) {
  std::cout << ToJsonText(value) << "\n";
}

void CompletePublicUrl(app::Config& config) {
  if (config.public_url.empty()) config.public_url = "http://" + config.listen;
  while (config.public_url.size() > 1 && config.public_url.back() == '/') {
    config.public_url.pop_back();
  }
}

std::string RedactedUrl(const std::string& url) {
  size_t at = url.find('@'), scheme = url.find("://");
  if (at == std::string::npos || scheme == std::string::npos) return url;
  size_t colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

std::string DatabaseDescription(const app::DatabaseConfig& db) {
  if (!db.database_url.empty()) return RedactedUrl(db.database_url);
  std::error_code ec;
  auto path = std::filesystem::absolute(db.SqlitePath(), ec);
  return "sqlite:" + (ec ? db.SqlitePath() : path.lexically_normal().string());
}

int RunParsedCommand(const CommandList& commands, const app::Config& parsed) {
  for (const Command& command : commands) {
    if (!command.subcommand->parsed()) continue;
    app::Config config = parsed;
    config.db.create = command.database == Database::kCreates;
    if (command.logging == Logging::kServer) return command.run(config);
    SetUpLogging(/*to_stderr=*/true, "warn");
    // On stderr, so that stdout carries only the answer (--json).
    if (command.database != Database::kNone) {
      std::cerr << "tessera: database " << DatabaseDescription(config.db) << "\n";
    }
    int rc = command.run(config);
    spdlog::shutdown();
    return rc;
  }
  return 0;  // not reached: the CLI requires a subcommand
}

}  // namespace tessera::cli
