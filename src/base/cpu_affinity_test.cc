// A pinned thread runs on the one CPU chosen for its slot, and gets its own set back after.
#include "base/cpu_affinity.h"

#include <gtest/gtest.h>
#include <pthread.h>

#include <set>
#include <thread>

namespace tessera {
namespace {

cpu_set_t ThreadCpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  EXPECT_EQ(pthread_getaffinity_np(pthread_self(), sizeof set, &set), 0);
  return set;
}

TEST(ScopedCpuPin, PinsToOneCpuPerSlotAndRestoresTheThreadsSet) {
  cpu_set_t before = ThreadCpus();
  int allowed = CPU_COUNT(&before);
  if (allowed < 2) GTEST_SKIP() << "one CPU: nothing to pin";
  std::set<int> chosen;
  for (int slot = 0; slot < allowed; ++slot) {
    ScopedCpuPin pin(slot);
    ASSERT_GE(pin.cpu(), 0);
    cpu_set_t now = ThreadCpus();
    EXPECT_EQ(CPU_COUNT(&now), 1);
    EXPECT_TRUE(CPU_ISSET(pin.cpu(), &now));
    EXPECT_TRUE(CPU_ISSET(pin.cpu(), &before)) << "only CPUs the process may use";
    EXPECT_EQ(sched_getcpu(), pin.cpu());
    chosen.insert(pin.cpu());
  }
  EXPECT_EQ(static_cast<int>(chosen.size()), allowed) << "each slot its own CPU";
  cpu_set_t after = ThreadCpus();
  EXPECT_TRUE(CPU_EQUAL(&before, &after));
}

TEST(ScopedCpuPin, SlotsBeyondTheCpusWrapAroundAndANegativeSlotPinsNothing) {
  cpu_set_t before = ThreadCpus();
  int allowed = CPU_COUNT(&before);
  if (allowed < 2) GTEST_SKIP() << "one CPU: nothing to pin";
  int first = ScopedCpuPin(0).cpu();
  EXPECT_EQ(ScopedCpuPin(allowed).cpu(), first);
  ScopedCpuPin none(-1);
  EXPECT_EQ(none.cpu(), -1);
  cpu_set_t now = ThreadCpus();
  EXPECT_TRUE(CPU_EQUAL(&before, &now));
}

}  // namespace
}  // namespace tessera
