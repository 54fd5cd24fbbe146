// ThrottleStore conformance: login failure counters per key and window.
// The fixture, the backends and the shared helpers: conformance_fixture.h.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "conformance_fixture.h"

namespace tessera::store::test {
namespace {

TEST_P(StoreConformanceTest, ThrottleCountsWithinAWindow) {
  constexpr int64_t kWindow = 15 * kMinute;
  const std::string key = "account:app-1:ann@example.com";
  ExpectThrottle(store().GetThrottle(key, kT0, kWindow), 0, 0);

  ExpectThrottle(store().AddThrottleFailure(key, kT0, kWindow), 1, kT0);
  ExpectThrottle(store().AddThrottleFailure(key, kT0 + kMinute, kWindow), 2, kT0);
  ExpectThrottle(store().AddThrottleFailure(key, kT0 + kWindow - 1, kWindow), 3, kT0);
  ExpectThrottle(store().GetThrottle(key, kT0 + kWindow - 1, kWindow), 3, kT0);
  ExpectThrottle(store().GetThrottle("ip:app-1:192.0.2.7", kT0, kWindow), 0, 0);

  // The window has ended: reads as nothing, and the next failure starts a new one.
  ExpectThrottle(store().GetThrottle(key, kT0 + kWindow, kWindow), 0, 0);
  const UnixMillis later = kT0 + kWindow + kMinute;
  ExpectThrottle(store().AddThrottleFailure(key, later, kWindow), 1, later);
  ExpectThrottle(store().AddThrottleFailure(key, later + 1, kWindow), 2, later);
  ExpectThrottle(store().GetThrottle(key, later + 2, kWindow), 2, later);

  // Keys are independent; clearing drops the counter (and is fine when there is none).
  const std::string ip = "ip:app-1:192.0.2.7";
  ExpectThrottle(store().AddThrottleFailure(ip, later, kWindow), 1, later);
  ASSERT_OK(store().ClearThrottle(key));
  ExpectThrottle(store().GetThrottle(key, later + 2, kWindow), 0, 0);
  ExpectThrottle(store().GetThrottle(ip, later + 2, kWindow), 1, later);
  ASSERT_OK(store().ClearThrottle(key));
  ExpectThrottle(store().AddThrottleFailure(key, later + 3, kWindow), 1, later + 3);
}

TEST_P(StoreConformanceTest, ConcurrentThrottleFailuresAreAllCounted) {
  constexpr int64_t kWindow = 15 * kMinute;
  constexpr int kThreads = 8;
  const std::string key = "ip:app-1:192.0.2.7";
  auto results = ConcurrentResults(
      kThreads, [&](int i) { return store().AddThrottleFailure(key, kT0 + i, kWindow); });

  std::vector<int64_t> counts;
  std::optional<UnixMillis> window_start;
  for (int i = 0; i < kThreads; ++i) {
    ASSERT_TRUE(results[i].has_value());
    ASSERT_TRUE(results[i]->ok()) << "thread " << i << ": " << results[i]->status().ToString();
    counts.push_back((*results[i])->failures);
    if (!window_start) window_start = (*results[i])->window_start;
    EXPECT_EQ((*results[i])->window_start, *window_start) << "one window";
  }
  // Each call saw its own count: 1..8, none lost, none doubled.
  std::sort(counts.begin(), counts.end());
  EXPECT_THAT(counts, ElementsAre(1, 2, 3, 4, 5, 6, 7, 8));
  auto got = store().GetThrottle(key, kT0 + kThreads, kWindow);
  ASSERT_OK(got);
  EXPECT_EQ(got->failures, kThreads);
}

}  // namespace
}  // namespace tessera::store::test
