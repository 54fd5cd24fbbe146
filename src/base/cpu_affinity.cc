#include "base/cpu_affinity.h"

#include <pthread.h>

#include <vector>

namespace tessera {
namespace {

// The CPUs the process may use, read once (the first caller's set is the process's: no
// thread narrows its own set except through ScopedCpuPin, which restores it).
const std::vector<int>& AllowedCpus() {
  static const std::vector<int> cpus = [] {
    std::vector<int> out;
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) != 0) return out;
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
      if (CPU_ISSET(cpu, &set)) out.push_back(cpu);
    }
    return out;
  }();
  return cpus;
}

}  // namespace

ScopedCpuPin::ScopedCpuPin(int slot) {
  const std::vector<int>& cpus = AllowedCpus();
  // One CPU allowed: nothing to choose, nothing to pin.
  if (cpus.size() < 2 || slot < 0) return;
  if (pthread_getaffinity_np(pthread_self(), sizeof previous_, &previous_) != 0) return;
  int cpu = cpus[static_cast<size_t>(slot) % cpus.size()];
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(cpu, &one);
  if (pthread_setaffinity_np(pthread_self(), sizeof one, &one) == 0) cpu_ = cpu;
}

ScopedCpuPin::~ScopedCpuPin() {
  if (cpu_ >= 0) (void)pthread_setaffinity_np(pthread_self(), sizeof previous_, &previous_);
}

}  // namespace tessera
