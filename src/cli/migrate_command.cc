// `tessera migrate`: applies pending migrations and nothing else (serve does it too).
#include <iostream>

#include "app/core_services.h"
#include "cli/commands.h"

namespace tessera::cli {
namespace {

int Migrate(const app::Config& c) {
  auto store = app::OpenConfiguredStore(c.db);  // opening applies pending migrations
  if (!store.ok()) return Fail(store.status());
  std::cout << "{\"migrated\":true,\"backend\":\"" << (*store)->Backend() << "\"}\n";
  return 0;
}

}  // namespace

void AddMigrateCommand(CLI::App& cli, app::Config& config, CommandList& commands) {
  CLI::App* migrate = cli.add_subcommand("migrate", "Apply pending database migrations");
  AddDatabaseOptions(migrate, config);
  commands.push_back({migrate, Migrate});
}

}  // namespace tessera::cli
