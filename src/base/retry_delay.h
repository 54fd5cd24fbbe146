// File: retry_delay.h
// The back-off of Tessera's outboxes (mail, HTTP deliveries): exponential, capped.
#pragma once

#include <algorithm>
#include <cstdint>

namespace tessera {

// min(base · 2^(attempts-1), max) for the attempt that just failed (attempts >= 1).
inline int64_t RetryDelayMs(int64_t attempts, int64_t base_ms, int64_t max_ms) {
  int64_t delay = base_ms;
  for (int64_t i = 1; i < attempts && delay < max_ms; ++i) delay *= 2;
  return std::min(delay, max_ms);
}

}  // namespace tessera
