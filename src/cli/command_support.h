// File: command_support.h
// What the commands of the command line share: logging, the error print-out, the database
// options, the app a command names, and the table main runs the chosen command from.
#pragma once

#include <CLI/CLI.hpp>
#include <boost/json/value.hpp>
#include <functional>
#include <string>
#include <vector>

#include "app/config.h"
#include "base/result.h"
#include "tenancy/app_service.h"
#include "tenancy/tenancy_records.h"

namespace tessera::cli {

// JSON lines: {"ts":…,"level":…, then the fields LogJson writes (base/log.h).
void SetUpLogging(bool to_stderr, const std::string& level);

// Prints the error with every field error, e.g. "validation failed; email is required", and
// returns the exit code 1.
int Fail(const Status& s);

// --data-dir, --database-url, --master-key-file, --public-url, --db-pool-size: every command
// that opens the database takes them (and their TESSERA_* variables).
void AddDatabaseOptions(CLI::App* command, app::Config& config);

// A repeatable option that also takes a space-separated list in one value, as OAuth writes
// scopes: `--scope "openid profile"` is `--scope openid --scope profile`. Only for values
// that never contain a space (scope tokens, grant names, URIs).
CLI::Option* AddListOption(CLI::App* command, const std::string& name,
                           std::vector<std::string>& values, const std::string& help);

// The app `slug` names (kNotFound "no such app: <slug>" for an unknown or disabled one).
Result<store::App> ResolveApp(services::AppService& apps, const std::string& slug);

// One JSON value on one line of standard output.
void PrintJson(const boost::json::value& value);

// How a command logs: the administrative ones to stderr (so stdout carries only their
// answer), `serve` as a server does (it sets up its own logging).
enum class Logging { kAdministrative, kServer };

// What a command does with the database: admin commands open an existing one and refuse to
// create one (run from the wrong folder, they would otherwise start a new ./var with a new
// master key and exit 0); only `serve` and `migrate` create it.
enum class Database { kOpensExisting, kCreates, kNone };

// A subcommand and what main runs once it was parsed: its options are in the Config and in
// the arguments its closure holds.
struct Command {
  CLI::App* subcommand;
  std::function<int(const app::Config&)> run;
  Logging logging = Logging::kAdministrative;
  Database database = Database::kOpensExisting;
};
using CommandList = std::vector<Command>;

// The database a command opens, for people: "sqlite:/abs/path/tessera.db" or the PostgreSQL
// URL without its password.
std::string DatabaseDescription(const app::DatabaseConfig& db);
// A URL without its password, for the log.
std::string RedactedUrl(const std::string& url);

// After parsing: --public-url defaults to http://{--listen}, without a trailing slash.
void CompletePublicUrl(app::Config& config);
// Runs the command that was parsed; returns its exit code.
int RunParsedCommand(const CommandList& commands, const app::Config& config);

}  // namespace tessera::cli
