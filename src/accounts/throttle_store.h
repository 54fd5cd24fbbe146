// File: throttle_store.h
// Failure counters in fixed windows (sign-in throttling, mail rate limits), kept in the
// database so every node sees the same counts.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/clock.h"
#include "base/result.h"

namespace tessera::store {

// Failed-login counter of one key ("account:<app>:<identifier>", "ip:<app>:<ip>") within a
// fixed window that starts at the first failure.
struct ThrottleState {
  int64_t failures = 0;
  UnixMillis window_start = 0;
};

class ThrottleStore {
 public:
  virtual ~ThrottleStore() = default;
  // The counter of `key`; {0, 0} when there is none or its window (started at window_start)
  // ended before `now`.
  virtual Result<ThrottleState> GetThrottle(std::string_view key, UnixMillis now,
                                            int64_t window_ms) = 0;
  // Adds one failure atomically: starts a new window at `now` when there is none or the old
  // one ended. Returns the new state. Concurrent calls never lose a count.
  virtual Result<ThrottleState> AddThrottleFailure(std::string_view key, UnixMillis now,
                                                   int64_t window_ms) = 0;
  virtual Status ClearThrottle(std::string_view key) = 0;
};

}  // namespace tessera::store
