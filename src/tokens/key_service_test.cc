// Staged and scheduled key rotation, and change notices between two nodes' key sets.
#include "tokens/key_service.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "crypto/random.h"
#include "tests/store/test_database.h"

namespace tessera::services {
namespace {

constexpr int64_t kStageMs = 360'000;
constexpr int64_t kDayMs = 24LL * 3600 * 1000;

bool Publishes(const KeySet& set, const std::string& kid) {
  for (const auto& k : set.jwks.at("keys").as_array()) {
    if (k.at("kid").as_string() == kid) return true;
  }
  return false;
}

class KeyServiceTest : public testing::Test {
 protected:
  void SetUp() override {
    db_ = std::move(store::test::TestDatabase::Create("sqlite")).value();
    store_ = std::move(db_->OpenStore()).value();
    // Two nodes on one database, each with its own notices; what one publishes reaches the
    // other, as NOTIFY would.
    notices1_.SetTransport([this](std::string_view p) { notices2_.Deliver(p); });
    notices2_.SetTransport([this](std::string_view p) { notices1_.Deliver(p); });
    node1_ = std::move(KeyService::Create(*store_, clock_, Options(), &notices1_)).value();
    node2_ = std::move(KeyService::Create(*store_, clock_, Options(), &notices2_)).value();
  }
  KeyServiceOptions Options() {
    KeyServiceOptions ko;
    ko.master_key = master_key_;
    ko.stage_ms = kStageMs;
    ko.rotate_after_ms = 90 * kDayMs;
    ko.publish_retired_for_ms = 7 * kDayMs;
    return ko;
  }
  ManualClock clock_{1'800'000'000'000};
  std::string master_key_ = crypto::RandomBytes(32);
  ChangeNotices notices1_, notices2_;
  std::unique_ptr<store::test::TestDatabase> db_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<KeyService> node1_, node2_;
};

TEST_F(KeyServiceTest, ARotatedKeyIsPublishedEverywhereAtOnceAndSignsOnlyAfterTheStage) {
  std::string old_kid = node2_->Current()->Active(crypto::JwsAlg::kES256)->kid();
  auto rotated = node1_->Rotate(crypto::JwsAlg::kES256);
  ASSERT_TRUE(rotated.ok()) << rotated.status().ToString();
  ASSERT_EQ(rotated->size(), 1u);
  const std::string new_kid = (*rotated)[0].kid;
  EXPECT_EQ((*rotated)[0].sign_from_ms, clock_.NowMillis() + kStageMs);

  // Both nodes publish it at once (node 2 through the notice, long before its 30 s reload)…
  for (KeyService* node : {node1_.get(), node2_.get()}) {
    auto set = node->Current();
    EXPECT_TRUE(Publishes(*set, new_kid));
    EXPECT_TRUE(Publishes(*set, old_kid));
    // …and neither signs with it yet.
    EXPECT_EQ(set->Active(crypto::JwsAlg::kES256)->kid(), old_kid);
    EXPECT_EQ(set->keys.front().kid(), old_kid);
  }
  clock_.Advance(kStageMs - 1);
  EXPECT_EQ(node2_->Current()->Active(crypto::JwsAlg::kES256)->kid(), old_kid);
  // The stage is over: both sign with it, with no notice and no reload interval elapsed.
  clock_.Advance(1);
  for (KeyService* node : {node1_.get(), node2_.get()}) {
    auto set = node->Current();
    EXPECT_EQ(set->Active(crypto::JwsAlg::kES256)->kid(), new_kid);
    EXPECT_TRUE(Publishes(*set, old_kid));  // the old key's tokens still verify
  }
  // Published for a week after it stopped signing, then gone.
  clock_.Advance(7 * kDayMs);
  EXPECT_TRUE(Publishes(*node2_->Current(), old_kid));
  clock_.Advance(31'000);
  EXPECT_FALSE(Publishes(*node2_->Current(), old_kid));
  EXPECT_TRUE(Publishes(*node2_->Current(), new_kid));
}

TEST_F(KeyServiceTest, ARotationWithoutStageSignsAtOnceAndReplacesAStagedKey) {
  auto staged = node1_->Rotate(crypto::JwsAlg::kES256);
  ASSERT_TRUE(staged.ok());
  auto now = node1_->Rotate(crypto::JwsAlg::kES256, 0);  // a key that leaked
  ASSERT_TRUE(now.ok()) << now.status().ToString();
  auto set = node2_->Current();
  EXPECT_EQ(set->Active(crypto::JwsAlg::kES256)->kid(), (*now)[0].kid);
  // The staged key was replaced before it ever signed, and never will.
  clock_.Advance(kStageMs + 1);
  EXPECT_EQ(node2_->Current()->Active(crypto::JwsAlg::kES256)->kid(), (*now)[0].kid);
  EXPECT_TRUE(Publishes(*node2_->Current(), (*staged)[0].kid));
}

TEST_F(KeyServiceTest, ScheduledRotationHappensOnceWhenEveryNodeFindsItDue) {
  auto before = node1_->RotateIfDue();
  ASSERT_TRUE(before.ok());
  EXPECT_TRUE(before->empty());  // not due yet
  clock_.Advance(90 * kDayMs);
  auto first = node1_->RotateIfDue();
  auto second = node2_->RotateIfDue();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(first->size(), 2u);  // ES256 and RS256
  EXPECT_TRUE(second->empty());  // the newest keys are new now
  auto keys = store_->ListSigningKeys();
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(keys->size(), 4u);
  for (const auto& r : *first) EXPECT_EQ(r.sign_from_ms, clock_.NowMillis() + kStageMs);
}

TEST_F(KeyServiceTest, AConcurrentRotationOfTheSameKeyIsAbortedAndWritesNothing) {
  // Node 2 rotates between node 1's read of the keys and its write: the store's
  // compare-and-set refuses node 1's (store conformance tests race it for real).
  auto keys = store_->ListSigningKeys();
  ASSERT_TRUE(keys.ok());
  std::string current;
  for (const auto& r : *keys) {
    if (r.alg == "ES256" && !r.retired_at) current = r.kid;
  }
  ASSERT_TRUE(node2_->Rotate(crypto::JwsAlg::kES256).ok());
  store::SigningKeyRecord late = (*keys)[0];
  late.kid = "late";
  late.alg = "ES256";
  EXPECT_EQ(store_->ReplaceSigningKey(late, current).code(), StatusCode::kAborted);
  EXPECT_EQ(store_->ListSigningKeys()->size(), 3u);
}

}  // namespace
}  // namespace tessera::services
