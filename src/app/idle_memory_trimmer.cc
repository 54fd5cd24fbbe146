#include "app/idle_memory_trimmer.h"

#include <malloc.h>

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace tessera::app {

void IdleMemoryTrimmer::Run(std::stop_token stop) {
  std::mutex mu;
  std::condition_variable_any cv;
  std::unique_lock lock(mu);
  uint64_t last = activity_();
  int quiet_ticks = 0;
  bool trimmed = true;  // nothing to give back before the first request
  while (!stop.stop_requested()) {
    cv.wait_for(lock, stop, std::chrono::seconds(1), [] { return false; });
    uint64_t now = activity_();
    if (now != last) {
      last = now;
      quiet_ticks = 0;
      trimmed = false;
      continue;
    }
    if (!trimmed && ++quiet_ticks >= 2) {
      malloc_trim(0);
      trimmed = true;
    }
  }
}

}  // namespace tessera::app
