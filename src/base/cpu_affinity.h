// File: cpu_affinity.h
// Keeps a CPU-bound, memory-hard computation (an argon2id hash: ~19 MiB touched in a few
// tens of milliseconds) on one CPU while it runs. Measured on the 2-vCPU machine of
// docs/benchmarks.md: a hash that the scheduler moved between CPUs took 2.3× as long as the
// same hash kept on one (its blocks no longer in that CPU's cache), and sign-in ran at 47% of
// the hash rate. Linux only; elsewhere, and when affinity cannot be set, nothing is pinned.
#pragma once

#include <sched.h>

namespace tessera {

class ScopedCpuPin {
 public:
  // Pins the calling thread to the `slot`-th CPU (modulo their number) of those the process
  // was allowed at start (an operator's taskset or cgroup cpuset is respected). The
  // thread's own set is restored when this is destroyed.
  explicit ScopedCpuPin(int slot);
  ~ScopedCpuPin();
  ScopedCpuPin(const ScopedCpuPin&) = delete;
  ScopedCpuPin& operator=(const ScopedCpuPin&) = delete;

  // The CPU the thread is pinned to, or -1 when it was not pinned.
  int cpu() const { return cpu_; }

 private:
  cpu_set_t previous_;
  int cpu_ = -1;
};

}  // namespace tessera
