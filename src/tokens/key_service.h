// File: key_service.h
// Signing keys: one active key per algorithm the server signs with (ES256 for access tokens by
// default; RS256 always, because OpenID Connect relying parties assume it for ID tokens; EdDSA
// when configured). Created on first start, kept in the database with the private half sealed
// under the master key (AES-256-GCM, bound to the kid), rotated by `tessera keys rotate`.
// Each node caches the key set and reloads it every `refresh_interval` and whenever a token
// names an unknown kid (at most once a second), so a rotation on one node reaches the others.
// The JWKS publishes the active key and keys retired within `publish_retired_for`, so tokens
// signed just before a rotation still verify.
#pragma once

#include <boost/json/object.hpp>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "crypto/signing_key.h"
#include "tokens/token_store.h"

namespace tessera::services {

struct KeyServiceOptions {
  crypto::JwsAlg alg = crypto::JwsAlg::kES256;  // access tokens
  // Every algorithm to hold an active key for (`alg` and RS256 are added when missing).
  std::vector<crypto::JwsAlg> algs = {crypto::JwsAlg::kES256, crypto::JwsAlg::kRS256};
  std::string master_key;  // 32 bytes
  int64_t refresh_interval_ms = 30'000;
  int64_t publish_retired_for_ms = 7LL * 24 * 3600 * 1000;
};

// An immutable snapshot: readers hold a shared_ptr, reloads swap in a new one.
struct KeySet {
  // [0] is the active key of the access-token algorithm; then the other algorithms' active
  // keys; then retired keys still published.
  std::vector<crypto::SigningKey> keys;
  boost::json::object jwks;
  int64_t loaded_at_ms = 0;
  const crypto::SigningKey* Find(std::string_view kid) const;
  // The active key of `alg`, or nullptr when the server holds none.
  const crypto::SigningKey* Active(crypto::JwsAlg alg) const;
  std::vector<crypto::JwsAlg> active_algs;  // the algorithms with an active key

 private:
  friend class KeyService;
  size_t active_count = 0;  // keys[0, active_count) are active
};

class KeyService {
 public:
  // Loads the keys, creating the first one when there is none.
  static Result<std::unique_ptr<KeyService>> Create(store::KeyStore& store, const Clock& clock,
                                                    KeyServiceOptions options);

  std::shared_ptr<const KeySet> Current();
  // For verification: reloads once if `kid` is unknown (another node may have rotated).
  std::shared_ptr<const KeySet> ForKid(std::string_view kid);
  // Creates a new active key for `alg` (every configured algorithm when unset) and retires the
  // key it replaces; returns the new kids.
  Result<std::vector<std::string>> Rotate(std::optional<crypto::JwsAlg> alg = std::nullopt);
  // The algorithms the server signs with (discovery, client registration).
  const std::vector<crypto::JwsAlg>& algs() const { return options_.algs; }
  // The master key, which also seals other secrets at rest (upstream providers' client
  // secrets: federation/identity_provider_service.h).
  const std::string& master_key() const { return options_.master_key; }

 private:
  KeyService(store::KeyStore& store, const Clock& clock, KeyServiceOptions options)
      : store_(store), clock_(clock), options_(std::move(options)) {}
  Status Reload();
  Status CreateKey(crypto::JwsAlg alg);

  store::KeyStore& store_;
  const Clock& clock_;
  KeyServiceOptions options_;
  std::mutex mu_;
  std::shared_ptr<const KeySet> current_;  // GUARDED_BY(mu_)
  int64_t last_forced_reload_ms_ = 0;      // GUARDED_BY(mu_)
  bool reloading_ = false;                 // GUARDED_BY(mu_)
};

}  // namespace tessera::services
