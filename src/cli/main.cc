// tessera: the command line. `serve` runs the server; the other commands administer the
// same database (SQLite in --data-dir, or PostgreSQL with --database-url). Each command group
// adds itself (cli/commands.h); main parses and runs the chosen command.
#include <malloc.h>

#include <CLI/CLI.hpp>

#include "app/config.h"
#include "cli/command_support.h"
#include "cli/commands.h"

int main(int argc, char** argv) {
  // Blocks of 4 MiB and more (an argon2id hash's 19 MiB) always come from mmap and go back to
  // the kernel when freed. Left to itself, glibc raises its mmap threshold after the first such
  // block is freed and from then on keeps them in the per-thread arenas: a sign-in burst left
  // a 19 MiB block in each hashing thread's arena (peak RSS 84 MiB at 16 connections).
  mallopt(M_MMAP_THRESHOLD, 4 << 20);
  // Fixing the mmap threshold also fixes the trim threshold at its 128 KiB default: every free
  // that left that much at an arena's top gave it back, and the next request asked for it
  // again (refresh lost 40% to those system calls). The idle memory trimmer still hands
  // everything back once the server is quiet.
  mallopt(M_TRIM_THRESHOLD, 16 << 20);
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
  cli::AddAuditCommand(*admin, config, commands);
  cli::AddKeysCommands(app, config, commands);
  cli::AddVersionCommand(app, commands);

  CLI11_PARSE(app, argc, argv);
  cli::CompletePublicUrl(config);
  return cli::RunParsedCommand(commands, config);
}
