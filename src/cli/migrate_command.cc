// `tessera migrate`: applies pending migrations (serve does it too), then brings stored email
// keys to the current identity rule (`doctor emails --apply`): a step in C++, since IDNA and
// NFC are not SQL. Accounts that now share a key are reported, never merged.
#include <boost/json.hpp>

#include "app/core_services.h"
#include "cli/commands.h"

namespace tessera::cli {
namespace {

int Migrate(const app::Config& c) {
  auto store = app::OpenConfiguredStore(c.db);  // opening applies pending migrations
  if (!store.ok()) return Fail(store.status());
  services::EmailIdentityDoctor doctor(**store, **store);
  auto emails = doctor.Run(/*apply=*/true);
  if (!emails.ok()) return Fail(emails.status());
  PrintJson(boost::json::object{{"migrated", true},
                                {"backend", (*store)->Backend()},
                                {"emails", EmailReportJson(*emails)}});
  return 0;
}

}  // namespace

void AddMigrateCommand(CLI::App& cli, app::Config& config, CommandList& commands) {
  CLI::App* migrate = cli.add_subcommand("migrate", "Apply pending database migrations");
  AddDatabaseOptions(migrate, config);
  commands.push_back({migrate, Migrate, Logging::kAdministrative, Database::kCreates});
}

}  // namespace tessera::cli
