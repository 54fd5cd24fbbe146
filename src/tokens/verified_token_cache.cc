#include "tokens/verified_token_cache.h"

namespace tessera::services {

std::optional<CachedToken> VerifiedTokenCache::Find(const std::string& digest) {
  Shard& s = ShardFor(digest);
  std::lock_guard lock(s.mu);
  auto it = s.entries.find(digest);
  if (it == s.entries.end()) return std::nullopt;
  return it->second;
}

void VerifiedTokenCache::Insert(const std::string& digest, CachedToken entry) {
  Shard& s = ShardFor(digest);
  std::lock_guard lock(s.mu);
  if (s.entries.size() >= kPerShard) s.entries.clear();  // cheap bound; hits refill it
  s.entries.insert_or_assign(digest, std::move(entry));
}

}  // namespace tessera::services
