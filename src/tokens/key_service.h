// File: key_service.h
// Signing keys: created on first start, kept in the database with the private half sealed
// under the master key (AES-256-GCM, bound to the kid), rotated by `tessera keys rotate`.
// Each node caches the key set and reloads it every `refresh_interval` and whenever a token
// names an unknown kid (at most once a second), so a rotation on one node reaches the others.
// The JWKS publishes the active key and keys retired within `publish_retired_for`, so tokens
// signed just before a rotation still verify.
#pragma once

#include <boost/json/object.hpp>
#include <memory>
#include <mutex>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "crypto/signing_key.h"
#include "tokens/token_store.h"

namespace tessera::services {

struct KeyServiceOptions {
  crypto::JwsAlg alg = crypto::JwsAlg::kES256;
  std::string master_key;  // 32 bytes
  int64_t refresh_interval_ms = 30'000;
  int64_t publish_retired_for_ms = 7LL * 24 * 3600 * 1000;
};

// An immutable snapshot: readers hold a shared_ptr, reloads swap in a new one.
struct KeySet {
  std::vector<crypto::SigningKey> keys;  // [0] is the active (signing) key
  boost::json::object jwks;
  int64_t loaded_at_ms = 0;
  const crypto::SigningKey* Find(std::string_view kid) const;
};

class KeyService {
 public:
  // Loads the keys, creating the first one when there is none.
  static Result<std::unique_ptr<KeyService>> Create(store::KeyStore& store, const Clock& clock,
                                                    KeyServiceOptions options);

  std::shared_ptr<const KeySet> Current();
  // For verification: reloads once if `kid` is unknown (another node may have rotated).
  std::shared_ptr<const KeySet> ForKid(std::string_view kid);
  // Creates a new active key (the configured algorithm) and retires the others.
  Result<std::string> Rotate();

 private:
  KeyService(store::KeyStore& store, const Clock& clock, KeyServiceOptions options)
      : store_(store), clock_(clock), options_(std::move(options)) {}
  Status Reload();
  Status CreateKey();

  store::KeyStore& store_;
  const Clock& clock_;
  KeyServiceOptions options_;
  std::mutex mu_;
  std::shared_ptr<const KeySet> current_;  // GUARDED_BY(mu_)
  int64_t last_forced_reload_ms_ = 0;      // GUARDED_BY(mu_)
  bool reloading_ = false;                 // GUARDED_BY(mu_)
};

}  // namespace tessera::services
