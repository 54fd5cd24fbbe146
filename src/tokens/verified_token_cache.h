// File: verified_token_cache.h
// Remembers access tokens whose signature has been verified, so the same token presented
// again (clients reuse one for its whole lifetime) skips the ~100 µs ECDSA check.
// Keyed by SHA-256 of the entire token string, signature included: a token differing in
// any byte — a forgery — misses and is verified in full. A hit still re-checks expiry,
// issuer, audience and that the signing key is still published. Bounded: a full shard is
// emptied rather than grown.
#pragma once

#include <array>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace tessera::services {

struct CachedToken {
  std::string subject, session_id, client_id, scope, jti;
  std::string issuer, audience, kid;  // audience: the token's own `aud`
  int64_t expires_at_s = 0;
  int64_t issued_at_s = 0;
  std::string act_json;  // the `act` claim (RFC 8693 §4.1) as JSON; "" without one
  std::string dpop_jkt{};  // cnf.jkt (RFC 9449 §6.1); "" for a bearer token
};

class VerifiedTokenCache {
 public:
  static constexpr size_t kShards = 16;
  static constexpr size_t kPerShard = 4096;

  std::optional<CachedToken> Find(const std::string& token_digest);
  void Insert(const std::string& token_digest, CachedToken entry);

 private:
  struct Shard {
    std::mutex mu;
    std::unordered_map<std::string, CachedToken> entries;  // GUARDED_BY(mu)
  };
  Shard& ShardFor(const std::string& digest) {
    return shards_[static_cast<unsigned char>(digest[0]) % kShards];
  }
  std::array<Shard, kShards> shards_;
};

}  // namespace tessera::services
