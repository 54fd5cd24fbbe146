// File: key_source.h
// Where an AccessTokenVerifier finds the public key a token names by its "kid".
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/resource_server/public_key.h"

namespace tessera::resource_server {

struct KeyLookup {
  enum class Outcome {
    kFound,
    kUnknownKey,    // the key set has no such kid (for that algorithm), even after a refetch
    kUnavailable,   // no key set could be had (the JWKS endpoint is down and nothing cached)
  };
  Outcome outcome = Outcome::kUnknownKey;
  std::shared_ptr<const PublicKey> key;  // set when kFound
  std::string detail;                    // why, when not found
};

class KeySource {
 public:
  virtual ~KeySource() = default;
  // The key with `kid` that fits `alg`. Must be thread-safe.
  virtual KeyLookup Find(std::string_view kid, Algorithm alg) = 0;
};

// A fixed key set (e.g. read from a file for an offline tool). Thread-safe.
class StaticKeySet final : public KeySource {
 public:
  explicit StaticKeySet(std::vector<std::shared_ptr<const PublicKey>> keys)
      : keys_(std::move(keys)) {}
  KeyLookup Find(std::string_view kid, Algorithm alg) override;

 private:
  std::vector<std::shared_ptr<const PublicKey>> keys_;
};

// The first key of `keys` with `kid` that fits `alg`, or nullptr.
std::shared_ptr<const PublicKey> FindKey(const std::vector<std::shared_ptr<const PublicKey>>& keys,
                                         std::string_view kid, Algorithm alg);

}  // namespace tessera::resource_server
