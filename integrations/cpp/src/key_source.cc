#include "tessera/resource_server/key_source.h"

#include "printable.h"

namespace tessera::resource_server {

std::shared_ptr<const PublicKey> FindKey(const std::vector<std::shared_ptr<const PublicKey>>& keys,
                                         std::string_view kid, Algorithm alg) {
  for (const auto& k : keys) {
    if (k->kid() == kid && k->Fits(alg)) return k;
  }
  return nullptr;
}

KeyLookup StaticKeySet::Find(std::string_view kid, Algorithm alg) {
  if (auto k = FindKey(keys_, kid, alg)) return {KeyLookup::Outcome::kFound, k, {}};
  return {KeyLookup::Outcome::kUnknownKey, nullptr, "no key \"" + internal::Printable(kid) + "\""};
}

}  // namespace tessera::resource_server
