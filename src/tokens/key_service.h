// File: key_service.h
// Signing keys: one active key per algorithm the server signs with (ES256 for access tokens by
// default; RS256 always, because OpenID Connect relying parties assume it for ID tokens; EdDSA
// when configured). Created on first start, kept in the database with the private half sealed
// under the master key (AES-256-GCM, bound to the kid), rotated by `tessera keys rotate` or
// on a schedule (`serve --key-rotation-days`).
//
// Rotation is staged, so that a relying party that caches the JWKS never meets an unknown
// kid: the new key is published in the JWKS at once and signs only from `sign_from`, a stage
// later (the JWKS's HTTP cache lifetime plus a node's reload interval plus a margin); the key
// it replaces signs until then, and stays published for `publish_retired_for` after, so the
// tokens it signed still verify until they expire.
//
// Each node caches the key set. It reloads it when a change notice says the keys changed
// (base/change_notices.h: every node at once on PostgreSQL), when a staged key's time to sign
// comes, every `refresh_interval` (the notice can be lost), and when a token names an
// unknown kid (at most once a second).
#pragma once

#include <boost/json/object.hpp>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "base/change_notices.h"
#include "base/clock.h"
#include "base/result.h"
#include "audit/audit_log.h"
#include "crypto/signing_key.h"
#include "tokens/token_store.h"

namespace tessera::services {

// What the JWKS answer tells caches (Cache-Control max-age), in seconds.
inline constexpr int64_t kJwksMaxAgeS = 300;

struct KeyServiceOptions {
  crypto::JwsAlg alg = crypto::JwsAlg::kES256;  // access tokens
  // Every algorithm to hold an active key for (`alg` and RS256 are added when missing).
  std::vector<crypto::JwsAlg> algs = {crypto::JwsAlg::kES256, crypto::JwsAlg::kRS256};
  std::string master_key;  // 32 bytes
  int64_t refresh_interval_ms = 30'000;
  int64_t publish_retired_for_ms = 7LL * 24 * 3600 * 1000;
  // From a rotation to the new key's first signature: every cache of the JWKS (HTTP caches,
  // relying parties, every node's key set) has had time to fetch the new key by then.
  int64_t stage_ms = (kJwksMaxAgeS + 30 + 30) * 1000;
  // Scheduled rotation: a key older than this is replaced (RotateIfDue). 0 = never.
  int64_t rotate_after_ms = 0;
};

// An immutable snapshot: readers hold a shared_ptr, reloads swap in a new one.
struct KeySet {
  // [0] is the active key of the access-token algorithm; then the other algorithms' active
  // keys; then retired keys still published.
  std::vector<crypto::SigningKey> keys;
  boost::json::object jwks;
  int64_t loaded_at_ms = 0;
  // When the signing keys change next by themselves (a staged key starts to sign): the set
  // is stale from then on. INT64_MAX when no change is due.
  int64_t next_change_ms = 0;
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
  // `notices` (may be null) carries rotations to the other nodes and theirs to this one;
  // rotations are recorded in `audit` (may be null).
  static Result<std::unique_ptr<KeyService>> Create(store::KeyStore& store, const Clock& clock,
                                                    KeyServiceOptions options,
                                                    ChangeNotices* notices = nullptr,
                                                    AuditLog* audit = nullptr);

  std::shared_ptr<const KeySet> Current();
  // For verification: reloads once if `kid` is unknown (another node may have rotated).
  std::shared_ptr<const KeySet> ForKid(std::string_view kid);
  struct Rotated {
    std::string kid;
    crypto::JwsAlg alg;
    int64_t sign_from_ms;
  };
  // A new key for `alg` (every configured algorithm when unset), published at once and
  // signing after `stage_ms` (the options' stage when unset; 0 = at once, for a key that
  // leaked); the key it replaces signs until then. kAborted when another node rotated the
  // same key at the same moment.
  Result<std::vector<Rotated>> Rotate(std::optional<crypto::JwsAlg> alg = std::nullopt,
                                      std::optional<int64_t> stage_ms = std::nullopt,
                                      const Actor& actor = CliActor()) {
    return RotateReplacing(alg, stage_ms, actor, std::nullopt);
  }
  // Scheduled rotation: rotates each algorithm whose newest key is older than
  // `rotate_after_ms`; of several nodes finding it due at once, one rotates. Returns what
  // this node rotated.
  Result<std::vector<Rotated>> RotateIfDue();
  // How often RotateIfDue is worth calling: a tenth of the rotation age, within [1 s, 1 min].
  int64_t rotation_check_interval_ms() const;
  // The algorithms the server signs with (discovery, client registration).
  const std::vector<crypto::JwsAlg>& algs() const { return options_.algs; }
  // The master key, which also seals other secrets at rest (upstream providers' client
  // secrets: federation/identity_provider_service.h).
  const std::string& master_key() const { return options_.master_key; }

 private:
  KeyService(store::KeyStore& store, const Clock& clock, KeyServiceOptions options)
      : store_(store), clock_(clock), options_(std::move(options)) {}
  Status Reload();
  Result<store::SigningKeyRecord> NewKeyRecord(crypto::JwsAlg alg, int64_t not_before_ms);
  Result<store::SigningKeyRecord> CreateFirstKey(crypto::JwsAlg alg);
  // Rotate; with `due_kid`, only while that key is still the one signing: a node that found
  // it due replaces it, never the key another node put in its place meanwhile (kAborted).
  Result<std::vector<Rotated>> RotateReplacing(std::optional<crypto::JwsAlg> alg,
                                               std::optional<int64_t> stage_ms, const Actor& actor,
                                               const std::optional<std::string>& due_kid);
  Result<Rotated> RotateOne(crypto::JwsAlg alg, int64_t stage_ms,
                            const std::optional<std::string>& due_kid);
  void Invalidate();  // a change notice: the next Current() reloads

  store::KeyStore& store_;
  const Clock& clock_;
  KeyServiceOptions options_;
  std::mutex mu_;
  std::shared_ptr<const KeySet> current_;  // GUARDED_BY(mu_)
  int64_t last_forced_reload_ms_ = 0;      // GUARDED_BY(mu_)
  bool reloading_ = false;                 // GUARDED_BY(mu_)
  // Bumped by every change notice; a reload that began before the last notice may have read
  // the old keys, so its snapshot counts as stale at once.
  uint64_t generation_ = 0;         // GUARDED_BY(mu_)
  uint64_t current_generation_ = 0;  // GUARDED_BY(mu_): generation_ when current_'s read began
  ChangeNotices* notices_ = nullptr;
  AuditLog* audit_ = nullptr;
};

}  // namespace tessera::services
