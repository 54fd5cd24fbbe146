// `tessera import django`: users, their email addresses, DRF tokens and profile rows from
// Django fixtures (`manage.py dumpdata` JSON), into an app; `tessera import users`: the
// generic JSON or CSV format (user_import/generic_import.h). Opens the store; no server.
#include <unistd.h>

#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <sstream>

#include "app/core_services.h"
#include "cli/commands.h"
#include "user_import/django_fixture.h"
#include "user_import/generic_import.h"
#include "user_import/user_import_service.h"

namespace tessera::cli {
namespace {

struct ImportArgs {
  std::string app = "default";
  std::string mapping_file, user_model;
  std::string format;  // import users: "json", "csv", or "" (by the file's extension)
  std::vector<std::string> files;
  bool dry_run = false, json = false;
  size_t batch_size = 500;
};

boost::json::object SummaryJson(const services::ImportSummary& s) {
  boost::json::object hashes, ignored;
  for (const auto& [k, n] : s.hash_kinds) hashes[k] = n;
  for (const auto& [k, n] : s.ignored_models) ignored[k] = n;
  boost::json::array skipped, warnings;
  for (const auto& r : s.skipped) {
    skipped.push_back({{"line", r.line}, {"record", r.record}, {"reason", r.reason}});
  }
  for (const auto& w : s.warnings) warnings.push_back(boost::json::value(w));
  boost::json::object o{{"dry_run", s.dry_run},
                        {"records", s.records},
                        {"users_created", s.users_created},
                        {"users_updated", s.users_updated},
                        {"records_applied_to_users", s.patches_applied},
                        {"tokens_imported", s.tokens_imported},
                        {"tokens_unchanged", s.tokens_unchanged},
                        {"tokens_expired", s.tokens_expired},
                        {"skipped_count", s.skipped_count},
                        {"skipped", skipped},
                        {"warning_count", s.warning_count},
                        {"warnings", warnings},
                        {"hash_kinds", hashes},
                        {"ignored_models", ignored}};
  if (s.stopped) o["stopped"] = *s.stopped;
  return o;
}

void PrintSummary(const services::ImportSummary& s, std::ostream& out) {
  out << (s.dry_run ? "Dry run (nothing was written): " : "Imported: ") << s.records
      << " records read; users: " << s.users_created << " created, " << s.users_updated
      << " updated; " << s.patches_applied << " email/profile records applied; tokens: "
      << s.tokens_imported << " imported, " << s.tokens_unchanged << " already there, "
      << s.tokens_expired << " expired (left out); " << s.skipped_count << " skipped.\n";
  if (!s.hash_kinds.empty()) {
    out << "Password hashes:";
    for (const auto& [k, n] : s.hash_kinds) out << " " << k << " " << n << ";";
    out << " (all but argon2id are upgraded at each user's next sign-in; unusable and "
           "unsupported ones need a password reset)\n";
  }
  for (const auto& [model, n] : s.ignored_models) {
    out << "Ignored " << n << " record(s) of " << model
        << " (not a user model: set --user-model or a profile mapping if it holds users)\n";
  }
  for (const auto& r : s.skipped) {
    out << "  skipped line " << r.line << " (" << r.record << "): " << r.reason << "\n";
  }
  if (s.skipped_count > static_cast<int64_t>(s.skipped.size())) {
    out << "  … and " << s.skipped_count - static_cast<int64_t>(s.skipped.size()) << " more\n";
  }
  for (const auto& w : s.warnings) out << "  warning: " << w << "\n";
  if (s.stopped) out << "STOPPED: " << *s.stopped << " (records before it were imported)\n";
}

Result<services::DjangoImportMapping> LoadMapping(const ImportArgs& a) {
  services::DjangoImportMapping m;
  if (!a.mapping_file.empty()) {
    std::ifstream f(a.mapping_file);
    if (!f) return InvalidArgumentError("cannot read the mapping file " + a.mapping_file);
    std::stringstream text;
    text << f.rdbuf();
    TESSERA_ASSIGN_OR_RETURN(m, services::DjangoImportMapping::FromJson(text.str()));
  }
  if (!a.user_model.empty()) m.user_model = a.user_model;
  return m;
}

using Importer = std::function<Result<services::ImportSummary>(
    services::UserImportService&, const store::App&, const std::vector<std::istream*>&,
    const services::ImportOptions&)>;

// Opens the inputs and the app, runs `importer` with a progress line on a terminal, and
// prints the summary: exit 0, 2 when an input could not be read to its end, 1 on an error.
int RunImport(const app::Config& c, const ImportArgs& a, const Importer& importer) {
  std::vector<std::unique_ptr<std::ifstream>> files;
  std::vector<std::istream*> inputs;
  for (const std::string& name : a.files) {
    if (name == "-") {
      inputs.push_back(&std::cin);
      continue;
    }
    files.push_back(std::make_unique<std::ifstream>(name, std::ios::binary));
    if (!*files.back()) return Fail(InvalidArgumentError("cannot read " + name));
    inputs.push_back(files.back().get());
  }
  if (inputs.empty()) inputs.push_back(&std::cin);
  auto core = app::CoreServices::Open(c);
  if (!core.ok()) return Fail(core.status());
  auto app = ResolveApp((*core)->apps(), a.app);
  if (!app.ok()) return Fail(app.status());
  services::UserImportService service((*core)->store(), (*core)->clock());
  services::ImportOptions options;
  options.dry_run = a.dry_run;
  options.batch_size = a.batch_size;
  bool tty = isatty(STDERR_FILENO);
  if (tty) {
    options.progress = [](const services::ImportSummary& s) {
      std::cerr << "\r  " << s.records << " records, "
                << s.users_created + s.users_updated << " users, " << s.skipped_count
                << " skipped" << std::flush;
    };
  }
  auto summary = importer(service, *app, inputs, options);
  if (tty) std::cerr << "\n";
  if (!summary.ok()) {
    std::cerr << "The import stopped: batches before the error were written; running it "
                 "again is safe (it updates, never duplicates).\n";
    return Fail(summary.status());
  }
  if (a.json) PrintJson(SummaryJson(*summary));
  PrintSummary(*summary, a.json ? std::cerr : std::cout);
  return summary->stopped ? 2 : 0;
}

int ImportDjango(const app::Config& c, const ImportArgs& a) {
  auto mapping = LoadMapping(a);
  if (!mapping.ok()) return Fail(mapping.status());
  return RunImport(c, a, [&](auto& service, const auto& app, const auto& inputs, const auto& o) {
    return services::ImportDjangoFixtures(service, app, *mapping, inputs, o);
  });
}

int ImportUsers(const app::Config& c, const ImportArgs& a) {
  std::string format = a.format;
  if (format.empty()) {
    bool csv = !a.files.empty() && a.files.front().size() > 4 &&
               a.files.front().substr(a.files.front().size() - 4) == ".csv";
    format = csv ? "csv" : "json";
  }
  auto kind = format == "csv" ? services::GenericFormat::kCsv : services::GenericFormat::kJson;
  return RunImport(c, a, [&](auto& service, const auto& app, const auto& inputs, const auto& o) {
    return services::ImportGenericUsers(service, app, kind, inputs, o);
  });
}

// The options both formats take.
void AddCommonImportOptions(CLI::App* cmd, ImportArgs& args) {
  cmd->add_option("--app", args.app, "App slug (default: default)");
  cmd->add_option("--batch-size", args.batch_size, "Records per transaction (default 500)")
      ->check(CLI::Range(1, 100000));
  cmd->add_flag("--dry-run", args.dry_run, "Read and check everything, write nothing");
  cmd->add_flag("--json", args.json, "Print the summary as JSON on stdout");
}

}  // namespace

void AddImportCommands(CLI::App& cli, app::Config& config, CommandList& commands) {
  CLI::App* import = cli.add_subcommand("import", "Import users from another system");
  import->require_subcommand(1);
  auto args = std::make_shared<ImportArgs>();
  CLI::App* cmd = import->add_subcommand(
      "django", "Users, allauth email addresses, DRF tokens and profiles from `manage.py "
                "dumpdata` JSON (files, or - for standard input)");
  AddDatabaseOptions(cmd, config);
  AddCommonImportOptions(cmd, *args);
  cmd->add_option("--mapping", args->mapping_file,
                  "JSON mapping: user_model, roles, profiles, media_url (docs/migrating-from-django.md)");
  cmd->add_option("--user-model", args->user_model,
                  "The user model's label, e.g. accounts.user (default: auth.user)");
  cmd->add_option("files", args->files, "Fixture files (default: standard input)");
  commands.push_back({cmd, [args](const app::Config& c) { return ImportDjango(c, *args); }});

  auto users = std::make_shared<ImportArgs>();
  CLI::App* generic = import->add_subcommand(
      "users", "Users in the generic format: JSON (an array or JSON lines) or CSV with a header "
               "(id, email, username, password_hash, email_verified, disabled, roles, "
               "created_at, last_login_at, profile.<claim>)");
  AddDatabaseOptions(generic, config);
  AddCommonImportOptions(generic, *users);
  generic->add_option("--format", users->format, "json or csv (default: by the file's extension)")
      ->check(CLI::IsMember({"json", "csv"}));
  generic->add_option("files", users->files, "Files (default: standard input)");
  commands.push_back({generic, [users](const app::Config& c) { return ImportUsers(c, *users); }});
}

}  // namespace tessera::cli
