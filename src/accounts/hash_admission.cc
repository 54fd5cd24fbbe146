#include "accounts/hash_admission.h"

#include <algorithm>
#include <cmath>

namespace tessera::services {

HashAdmission::HashAdmission(int concurrency, int max_queue, std::chrono::milliseconds max_wait)
    : concurrency_(std::max(1, concurrency)),
      max_queue_(std::max(0, max_queue)),
      max_wait_s_(std::max(0.0, std::chrono::duration<double>(max_wait).count())) {}

// A caller behind w others waits (w / concurrency + 1) hash times; admitted while that is
// within max_wait, i.e. while w <= (max_wait / hash - 1) * concurrency. Capacity counts the
// callers that may wait: the largest admissible w, plus one.
int HashAdmission::Capacity(double hash_s) const {
  if (hash_s <= 0) return max_queue_;
  double ahead = (max_wait_s_ / hash_s - 1.0) * concurrency_;
  if (ahead < 0) return 0;
  return static_cast<int>(std::min<double>(max_queue_, std::floor(ahead) + 1));
}

int HashAdmission::FairShare(int capacity) { return std::max(2, capacity / 4); }

HashVerdict HashAdmission::Decide(int waiting, int waiting_for_ip, double hash_s) const {
  int capacity = Capacity(hash_s);
  if (waiting >= capacity) return HashVerdict::kTooLong;
  // Beyond its share an IP may only use room that still leaves a share free for the others.
  int share = FairShare(capacity);
  if (waiting_for_ip >= share && waiting >= capacity - share) return HashVerdict::kOverFairShare;
  return HashVerdict::kAdmit;
}

int64_t HashAdmission::RetryAfterSeconds(int waiting, double hash_s) const {
  double drain_s = (static_cast<double>(waiting) / concurrency_ + 1.0) * std::max(0.0, hash_s);
  return std::max<int64_t>(1, static_cast<int64_t>(std::ceil(drain_s)));
}

}  // namespace tessera::services
