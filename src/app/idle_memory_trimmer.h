// File: idle_memory_trimmer.h
// After a burst of requests, glibc keeps the freed memory of every worker thread's arena, so
// an idle server can sit on several MiB it no longer uses. When the request count has been
// still for two seconds after some activity, this hands free memory back to the kernel
// (malloc_trim) — once per quiet spell, never under load.
#pragma once

#include <cstdint>
#include <functional>
#include <stop_token>

namespace tessera::app {

class IdleMemoryTrimmer {
 public:
  // `activity` returns a number that grows with every request.
  explicit IdleMemoryTrimmer(std::function<uint64_t()> activity) : activity_(std::move(activity)) {}
  // Runs until `stop` is requested (on its own thread).
  void Run(std::stop_token stop);

 private:
  std::function<uint64_t()> activity_;
};

}  // namespace tessera::app
