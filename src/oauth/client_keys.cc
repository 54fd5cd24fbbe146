#include "oauth/client_keys.h"

#include <set>

namespace tessera::services {

Result<std::vector<crypto::SigningKey>> ParseClientJwks(std::string_view jwks_json) {
  if (jwks_json.size() > kMaxClientJwksBytes) {
    return InvalidArgumentError("the key set is larger than 16 KiB");
  }
  boost::system::error_code ec;
  boost::json::value parsed = boost::json::parse(jwks_json, ec);
  const boost::json::object* set = ec ? nullptr : parsed.if_object();
  const boost::json::value* keys = set ? set->if_contains("keys") : nullptr;
  if (!keys || !keys->is_array()) {
    return InvalidArgumentError("must be a JWK Set: an object with a \"keys\" array");
  }
  if (keys->as_array().empty() || keys->as_array().size() > kMaxClientKeys) {
    return InvalidArgumentError("must hold 1 to 10 keys");
  }
  std::vector<crypto::SigningKey> out;
  std::set<std::string> kids;
  for (const boost::json::value& jwk : keys->as_array()) {
    const std::string where = "key " + std::to_string(out.size() + 1) + ": ";
    if (!jwk.is_object()) return InvalidArgumentError(where + "not a JSON object");
    auto key = crypto::SigningKey::FromPublicJwk(jwk.as_object());
    if (!key.ok()) return InvalidArgumentError(where + key.status().message());
    if (!kids.insert(key->kid()).second) {
      return InvalidArgumentError(where + "its kid is another key's too");
    }
    out.push_back(std::move(*key));
  }
  return out;
}

const crypto::SigningKey* KeyForHeader(const std::vector<crypto::SigningKey>& keys,
                                       const boost::json::object& header) {
  const boost::json::value* kid = header.if_contains("kid");
  if (kid) {
    if (!kid->is_string()) return nullptr;
    for (const auto& k : keys) {
      if (k.kid() == kid->as_string()) return &k;
    }
    return nullptr;
  }
  const boost::json::value* alg = header.if_contains("alg");
  auto wanted = alg && alg->is_string() ? crypto::ParseJwsAlg(alg->as_string()) : std::nullopt;
  const crypto::SigningKey* found = nullptr;
  for (const auto& k : keys) {
    if (!wanted || k.alg() != *wanted) continue;
    if (found) return nullptr;  // ambiguous: the client must name its key
    found = &k;
  }
  return found;
}

}  // namespace tessera::services
