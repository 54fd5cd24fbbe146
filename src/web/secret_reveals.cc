#include "web/secret_reveals.h"

#include "crypto/random.h"

namespace tessera::web {

std::string SecretReveals::Put(std::string owner, std::string secret) {
  const auto now = std::chrono::steady_clock::now();
  std::string id = crypto::NewSecretToken("rv_");
  std::lock_guard lock(mu_);
  DropExpired(now);
  // Bounded: a flood of creations drops the oldest reveal (its page then says "can no longer
  // be shown") rather than growing without end.
  if (parked_.size() >= kMaxHeld) {
    auto oldest = parked_.begin();
    for (auto it = parked_.begin(); it != parked_.end(); ++it) {
      if (it->second.order < oldest->second.order) oldest = it;
    }
    parked_.erase(oldest);
  }
  parked_[id] = Parked{std::move(owner), std::move(secret), now + kLifetime, next_order_++};
  return id;
}

std::optional<std::string> SecretReveals::Take(std::string_view id, std::string_view owner) {
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mu_);
  DropExpired(now);
  auto it = parked_.find(id);
  if (it == parked_.end() || it->second.owner != owner) return std::nullopt;
  std::string secret = std::move(it->second.secret);
  parked_.erase(it);
  return secret;
}

void SecretReveals::DropExpired(std::chrono::steady_clock::time_point now) {
  for (auto it = parked_.begin(); it != parked_.end();) {
    it = it->second.expires <= now ? parked_.erase(it) : std::next(it);
  }
}

}  // namespace tessera::web
