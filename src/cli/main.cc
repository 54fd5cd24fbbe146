// tessera: the command line. `serve` runs the server; the other commands administer the
// same database (SQLite in --data-dir, or PostgreSQL with --database-url). Each command group
// adds itself (cli/commands.h); main parses and runs the chosen command.
#include <CLI/CLI.hpp>

#include "app/config.h"
#include "cli/command_support.h"
#include "cli/commands.h"

int main(int argc, char** argv) {
  namespace cli = tessera::cli;
  CLI::App app{"Tessera: identity and authentication server"};
  app.require_subcommand(1);
  tessera::app::Config config;
  cli::CommandList commands;

  cli::AddServeCommand(app, config, commands);
  cli::AddMigrateCommand(app, config, commands);
  cli::AddDoctorCommands(app, config, commands);
  CLI::App* admin = app.add_subcommand("admin", "Administer apps and users");
  admin->require_subcommand(1);
  cli::AddAdminUserCommands(*admin, config, commands);
  cli::AddAdminAppCommands(*admin, config, commands);
  cli::AddAdminCredentialCommands(*admin, config, commands);
  cli::AddAdminProviderCommands(*admin, config, commands);
  cli::AddAdminMailCommands(*admin, config, commands);
  cli::AddAdminDeliveryCommands(*admin, config, commands);
  cli::AddAdminWebhookCommands(*admin, config, commands);
  cli::AddAuditCommand(*admin, config, commands);
  cli::AddInsightsCommand(*admin, config, commands);
  cli::AddKeysCommands(app, config, commands);
  cli::AddImportCommands(app, config, commands);
  cli::AddVersionCommand(app, commands);

  CLI11_PARSE(app, argc, argv);
  cli::CompletePublicUrl(config);
  return cli::RunParsedCommand(commands, config);
}
