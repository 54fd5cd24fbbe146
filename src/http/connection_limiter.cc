#include "http/connection_limiter.h"

namespace tessera::http {

ConnectionLimiter::ConnectionLimiter(size_t max_connections, Metrics& metrics)
    : max_(std::max<size_t>(1, max_connections)), metrics_(metrics) {}

std::function<void()> ConnectionLimiter::TakeOldestIdle() {
  Slot* oldest = idle_.front();
  idle_.pop_front();
  oldest->idle_ = false;
  oldest->evicted_ = true;
  --open_;  // its place is free now; its socket closes on its own strand
  metrics_.connections_evicted.Inc();
  return oldest->evict_;
}

std::shared_ptr<ConnectionLimiter::Slot> ConnectionLimiter::Admit() {
  std::function<void()> evict;
  {
    std::lock_guard lock(mu_);
    if (open_ >= max_) {
      if (idle_.empty()) {
        metrics_.connections_refused.Inc();
        return nullptr;
      }
      evict = TakeOldestIdle();
    }
    ++open_;
    metrics_.connections_open.Set(static_cast<int64_t>(open_));
  }
  if (evict) evict();  // outside the lock: it posts to another connection's strand
  return std::make_shared<Slot>();
}

void ConnectionLimiter::Idle(Slot& slot) {
  std::lock_guard lock(mu_);
  if (slot.evicted_ || slot.idle_) return;
  slot.idle_ = true;
  slot.idle_pos_ = idle_.insert(idle_.end(), &slot);
}

void ConnectionLimiter::Busy(Slot& slot) {
  std::lock_guard lock(mu_);
  if (!slot.idle_) return;
  idle_.erase(slot.idle_pos_);
  slot.idle_ = false;
}

void ConnectionLimiter::Release(Slot& slot) {
  std::lock_guard lock(mu_);
  if (slot.idle_) idle_.erase(slot.idle_pos_);
  slot.idle_ = false;
  if (!slot.evicted_) --open_;
  slot.evicted_ = true;  // released once
  metrics_.connections_open.Set(static_cast<int64_t>(open_));
}

bool ConnectionLimiter::EvictOldestIdle() {
  std::function<void()> evict;
  {
    std::lock_guard lock(mu_);
    if (idle_.empty()) return false;
    evict = TakeOldestIdle();
    metrics_.connections_open.Set(static_cast<int64_t>(open_));
  }
  if (evict) evict();
  return true;
}

size_t ConnectionLimiter::open() const {
  std::lock_guard lock(mu_);
  return open_;
}

}  // namespace tessera::http
