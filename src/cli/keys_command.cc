// `tessera keys rotate`: a new signing key under the master key; the previous ones stay
// published (JWKS) for 7 days. Opens the store and the keys only.
#include <boost/json.hpp>
#include <iostream>
#include <memory>

#include "app/core_services.h"
#include "cli/commands.h"

namespace tessera::cli {
namespace {

// Rotates the key of `only_alg`, or of every algorithm the server signs with when it is "".
int RotateKeys(const app::Config& c, const std::string& only_alg, bool json) {
  auto core = app::CoreServices::Open(c);
  if (!core.ok()) return Fail(core.status());
  if (Status keys = (*core)->OpenKeys(); !keys.ok()) return Fail(keys);
  std::optional<crypto::JwsAlg> alg;
  if (!only_alg.empty()) alg = crypto::ParseJwsAlg(only_alg);
  auto kids = (*core)->keys().Rotate(alg);
  if (!kids.ok()) return Fail(kids.status());
  auto set = (*core)->keys().Current();
  boost::json::array out;
  for (const auto& kid : *kids) {
    std::string_view name = crypto::JwsAlgName(set->Find(kid)->alg());
    (*core)->audit().Record({.action = store::AuditAction::kSigningKeyRotated,
                             .actor_type = store::AuditActorType::kAdmin,
                             .actor_id = "cli",
                             .subject_type = store::AuditSubjectType::kSigningKey,
                             .subject_id = kid,
                             .details_json = boost::json::serialize(
                                 boost::json::object{{"alg", name}})});
    out.push_back(boost::json::object{{"kid", kid}, {"alg", name}});
    if (!json) {
      std::cout << "New " << name << " signing key " << kid
                << "; the key it replaces stays published for 7 days.\n";
    }
  }
  if (json) std::cout << boost::json::serialize(boost::json::object{{"keys", out}}) << "\n";
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
  auto only_alg = std::make_shared<std::string>();
  rotate->add_option("--jwt-alg", config.jwt_alg, "The server's access-token algorithm")
      ->check(CLI::IsMember({"ES256", "EdDSA", "RS256"}))
      ->capture_default_str();
  rotate->add_option("--signing-algs", config.signing_algs,
                     "The server's signing algorithms (as `serve --signing-algs`)")
      ->capture_default_str();
  rotate->add_option("--alg", *only_alg, "Rotate only this algorithm's key (default: every one)")
      ->check(CLI::IsMember({"ES256", "EdDSA", "RS256"}));
  rotate->add_flag("--json", *json, "Print the new keys as JSON: {\"keys\":[{\"kid\",\"alg\"}]}");
  commands.push_back({rotate, [json, only_alg](const app::Config& c) {
                        return RotateKeys(c, *only_alg, *json);
                      }});
}

}  // namespace tessera::cli
