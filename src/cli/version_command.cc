// `tessera version`.
#include <iostream>

#include "cli/commands.h"

namespace tessera::cli {

void AddVersionCommand(CLI::App& cli, CommandList& commands) {
  CLI::App* version = cli.add_subcommand("version", "Print the version");
  commands.push_back({version, [](const app::Config&) {
                        std::cout << "tessera " << TESSERA_VERSION << "\n";
                        return 0;
                      },
                      Logging::kAdministrative, Database::kNone});
}

}  // namespace tessera::cli
