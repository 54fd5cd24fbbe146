// KeyStore conformance: the signing keys, newest first, and their retirement.
// The fixture, the backends and the shared helpers: conformance_fixture.h.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "conformance_fixture.h"

namespace tessera::store::test {
namespace {

TEST_P(StoreConformanceTest, SigningKeysNewestFirst) {
  SigningKeyRecord k1 = MakeKey("k1", kT0);
  SigningKeyRecord k2 = MakeKey("k2", kT0 + kDay);
  SigningKeyRecord k3 = MakeKey("k3", kT0 + 2 * kDay);
  ASSERT_OK(store().InsertSigningKey(k2));
  ASSERT_OK(store().InsertSigningKey(k3));
  ASSERT_OK(store().InsertSigningKey(k1));
  auto keys = store().ListSigningKeys();
  ASSERT_OK(keys);
  ASSERT_EQ(keys->size(), 3u);
  ExpectSameKey((*keys)[0], k3);
  ExpectSameKey((*keys)[1], k2);
  ExpectSameKey((*keys)[2], k1);
}

TEST_P(StoreConformanceTest, SigningKeyKidClash) {
  ASSERT_OK(store().InsertSigningKey(MakeKey("k1", kT0)));
  EXPECT_CLASH(store().InsertSigningKey(MakeKey("k1", kT0 + 1)), SigningKeyUniqueKey::kKid);
}

TEST_P(StoreConformanceTest, RetireSigningKeysExcept) {
  SigningKeyRecord old = MakeKey("k-old", kT0);
  old.retired_at = kT0 + kDay;
  SigningKeyRecord prev = MakeKey("k-prev", kT0 + 2 * kDay);
  SigningKeyRecord cur = MakeKey("k-cur", kT0 + 3 * kDay);
  for (const auto& k : {old, prev, cur}) ASSERT_OK(store().InsertSigningKey(k));

  const UnixMillis now = kT0 + 4 * kDay;
  ASSERT_OK(store().RetireSigningKeysExcept("k-cur", now));
  auto keys = store().ListSigningKeys();
  ASSERT_OK(keys);
  ASSERT_EQ(keys->size(), 3u);
  EXPECT_EQ((*keys)[0].kid, "k-cur");
  EXPECT_EQ((*keys)[0].retired_at, std::nullopt);
  EXPECT_EQ((*keys)[1].kid, "k-prev");
  EXPECT_EQ((*keys)[1].retired_at, now);
  EXPECT_EQ((*keys)[2].kid, "k-old");
  EXPECT_EQ((*keys)[2].retired_at, kT0 + kDay);  // already retired: unchanged

  // Idempotent.
  ASSERT_OK(store().RetireSigningKeysExcept("k-cur", now + kDay));
  keys = store().ListSigningKeys();
  ASSERT_OK(keys);
  EXPECT_EQ((*keys)[0].retired_at, std::nullopt);
  EXPECT_EQ((*keys)[1].retired_at, now);
}

// Issue 12: one active key per algorithm, and a race of two first starts leaves the newer one
// active (never none).
TEST_P(StoreConformanceTest, RetireSigningKeysExceptKeepsOtherAlgorithmsAndNewerKeys) {
  SigningKeyRecord rs = MakeKey("k-rs", kT0);
  rs.alg = "RS256";
  SigningKeyRecord a = MakeKey("k-a", kT0 + kDay);
  SigningKeyRecord b = MakeKey("k-b", kT0 + 2 * kDay);
  for (const auto& k : {rs, a, b}) ASSERT_OK(store().InsertSigningKey(k));
  // Node B retires first, node A last: A must not retire B's newer key.
  ASSERT_OK(store().RetireSigningKeysExcept("k-b", kT0 + 3 * kDay));
  ASSERT_OK(store().RetireSigningKeysExcept("k-a", kT0 + 3 * kDay));
  auto keys = store().ListSigningKeys();
  ASSERT_OK(keys);
  ASSERT_EQ(keys->size(), 3u);
  EXPECT_EQ((*keys)[0].kid, "k-b");
  EXPECT_EQ((*keys)[0].retired_at, std::nullopt);
  EXPECT_EQ((*keys)[1].kid, "k-a");
  EXPECT_EQ((*keys)[1].retired_at, kT0 + 3 * kDay);
  EXPECT_EQ((*keys)[2].kid, "k-rs");
  EXPECT_EQ((*keys)[2].retired_at, std::nullopt);  // another algorithm: untouched
}

// Staged rotation: the next key is stored with its sign_from, and the key it replaces (with
// any other key of the algorithm not yet replaced) signs until then.
TEST_P(StoreConformanceTest, ReplaceSigningKeyRetiresAtTheNextKeysSignFrom) {
  SigningKeyRecord rs = MakeKey("k-rs", kT0);
  rs.alg = "RS256";
  SigningKeyRecord cur = MakeKey("k-cur", kT0 + kDay);
  for (const auto& k : {rs, cur}) ASSERT_OK(store().InsertSigningKey(k));
  SigningKeyRecord next = MakeKey("k-next", kT0 + 2 * kDay);
  next.sign_from = kT0 + 2 * kDay + 360'000;
  ASSERT_OK(store().ReplaceSigningKey(next, "k-cur"));
  auto keys = store().ListSigningKeys();
  ASSERT_OK(keys);
  ASSERT_EQ(keys->size(), 3u);
  ExpectSameKey((*keys)[0], next);
  EXPECT_EQ((*keys)[1].kid, "k-cur");
  EXPECT_EQ((*keys)[1].retired_at, next.sign_from);
  EXPECT_EQ((*keys)[2].retired_at, std::nullopt);  // another algorithm: untouched

  // The key already replaced cannot be replaced again: nothing is written.
  EXPECT_EQ(store().ReplaceSigningKey(MakeKey("k-late", kT0 + 3 * kDay), "k-cur").code(),
            StatusCode::kAborted);
  EXPECT_EQ(store().ReplaceSigningKey(MakeKey("k-none", kT0 + 3 * kDay), "k-unknown").code(),
            StatusCode::kAborted);
  keys = store().ListSigningKeys();
  ASSERT_OK(keys);
  EXPECT_EQ(keys->size(), 3u);
}

// Two nodes rotate the same key at once (a scheduled rotation falls due on both): exactly one
// new key is stored.
TEST_P(StoreConformanceTest, ReplaceSigningKeyRaceHasOneWinner) {
  ASSERT_OK(store().InsertSigningKey(MakeKey("k-cur", kT0)));
  constexpr int kRacers = 6;
  std::vector<Status> results(kRacers);
  {
    std::vector<std::jthread> racers;
    for (int i = 0; i < kRacers; ++i) {
      racers.emplace_back([&, i] {
        SigningKeyRecord next = MakeKey("k-next-" + std::to_string(i), kT0 + kDay + i);
        results[i] = store().ReplaceSigningKey(next, "k-cur");
      });
    }
  }
  int winners = 0;
  for (const Status& s : results) {
    if (s.ok()) {
      ++winners;
    } else {
      EXPECT_EQ(s.code(), StatusCode::kAborted) << s.ToString();
    }
  }
  EXPECT_EQ(winners, 1);
  auto keys = store().ListSigningKeys();
  ASSERT_OK(keys);
  EXPECT_EQ(keys->size(), 2u);
}

}  // namespace
}  // namespace tessera::store::test
