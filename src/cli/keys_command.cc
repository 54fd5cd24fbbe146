// `tessera keys rotate`: a new signing key under the master key; the previous ones stay
// published (JWKS) for 7 days. Opens the store and the keys only.
#include <iostream>
#include <memory>

#include "app/core_services.h"
#include "cli/commands.h"

namespace tessera::cli {
namespace {

int RotateKeys(const app::Config& c, bool json) {
  auto core = app::CoreServices::Open(c);
  if (!core.ok()) return Fail(core.status());
  if (Status keys = (*core)->OpenKeys(); !keys.ok()) return Fail(keys);
  auto kid = (*core)->keys().Rotate();
  if (!kid.ok()) return Fail(kid.status());
  (*core)->audit().Record({.action = store::AuditAction::kSigningKeyRotated,
                           .actor_type = store::AuditActorType::kAdmin,
                           .actor_id = "cli",
                           .subject_type = store::AuditSubjectType::kSigningKey,
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

void AddKeysCommands(CLI::App& cli, app::Config& config, CommandList& commands) {
  CLI::App* keys = cli.add_subcommand("keys", "Manage signing keys");
  keys->require_subcommand(1);
  auto json = std::make_shared<bool>(false);
  CLI::App* rotate =
      keys->add_subcommand("rotate", "Create a new signing key and retire the current one");
  AddDatabaseOptions(rotate, config);
  rotate->add_option("--jwt-alg", config.jwt_alg, "Algorithm of the new key")
      ->check(CLI::IsMember({"ES256", "EdDSA", "RS256"}))
      ->capture_default_str();
  rotate->add_flag("--json", *json, "Print the new key id as JSON");
  commands.push_back({rotate, [json](const app::Config& c) { return RotateKeys(c, *json); }});
}

}  // namespace tessera::cli
