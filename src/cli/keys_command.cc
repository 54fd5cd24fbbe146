// `tessera keys rotate`: a new signing key under the master key, published at once and signing
// after the stage (tokens/key_service.h); the previous ones stay published (JWKS) for 7 days
// after they stop signing. Opens the store and the keys only.
#include <boost/json.hpp>
#include <iostream>
#include <memory>

#include "app/core_services.h"
#include "base/time_format.h"
#include "cli/commands.h"

namespace tessera::cli {
namespace {

// Rotates the key of `only_alg`, or of every algorithm the server signs with when it is "".
// `stage_s` < 0: the configured stage (--key-stage-seconds).
int RotateKeys(const app::Config& c, const std::string& only_alg, int64_t stage_s, bool json) {
  auto core = app::CoreServices::Open(c);
  if (!core.ok()) return Fail(core.status());
  if (Status keys = (*core)->OpenKeys(); !keys.ok()) return Fail(keys);
  std::optional<crypto::JwsAlg> alg;
  if (!only_alg.empty()) alg = crypto::ParseJwsAlg(only_alg);
  std::optional<int64_t> stage_ms;
  if (stage_s >= 0) stage_ms = stage_s * 1000;
  auto rotated = (*core)->keys().Rotate(alg, stage_ms, services::CliActor());
  if (!rotated.ok()) return Fail(rotated.status());
  int64_t now = (*core)->clock().NowMillis();
  boost::json::array out;
  for (const auto& r : *rotated) {
    std::string_view name = crypto::JwsAlgName(r.alg);
    out.push_back(boost::json::object{{"kid", r.kid}, {"alg", name},
                                      {"sign_from", FormatUtc(r.sign_from_ms, kRfc3339Utc)}});
    if (json) continue;
    int64_t wait_s = (r.sign_from_ms - now + 999) / 1000;
    std::cout << "New " << name << " signing key " << r.kid << ": in every node's JWKS now, ";
    if (wait_s > 0) {
      std::cout << "signing from " << FormatUtc(r.sign_from_ms, kRfc3339Utc) << " (in " << wait_s
                << " s); the key it replaces signs until then";
    } else {
      std::cout << "signing now";
    }
    std::cout << " and stays published for 7 days after.\n";
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
  auto stage_s = std::make_shared<int64_t>(-1);
  rotate
      ->add_option("--stage-seconds", *stage_s,
                   "Publish the new key this long before it signs (default: --key-stage-seconds, "
                   "360); 0 signs at once, for a key that leaked")
      ->check(CLI::Range(int64_t{0}, int64_t{7 * 24 * 3600}));
  rotate->add_option("--key-stage-seconds", config.key_stage_s,
                     "The server's stage (as `serve --key-stage-seconds`)")
      ->envname("TESSERA_KEY_STAGE_SECONDS")
      ->capture_default_str();
  rotate->add_flag("--json", *json,
                   "Print the new keys as JSON: {\"keys\":[{\"kid\",\"alg\",\"sign_from\"}]}");
  commands.push_back({rotate, [json, only_alg, stage_s](const app::Config& c) {
                        return RotateKeys(c, *only_alg, *stage_s, *json);
                      }});
}

}  // namespace tessera::cli
