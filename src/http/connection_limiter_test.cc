// The connection cap (issue 12, item 2): at the cap the longest-idle connection makes room,
// busy ones are never evicted, and with none idle a new connection is refused.
#include <gtest/gtest.h>

#include <vector>

#include "http/connection_limiter.h"

namespace tessera::http {
namespace {

struct Tracked {
  std::shared_ptr<ConnectionLimiter::Slot> slot;
  bool evicted = false;
};

class ConnectionLimiterTest : public ::testing::Test {
 protected:
  // Admits a connection that records its eviction.
  Tracked* Open() {
    auto slot = limiter_.Admit();
    if (!slot) return nullptr;
    auto t = std::make_unique<Tracked>();
    t->slot = slot;
    Tracked* raw = t.get();
    slot->SetEvictor([raw] { raw->evicted = true; });
    conns_.push_back(std::move(t));
    return raw;
  }

  Metrics metrics_;
  ConnectionLimiter limiter_{3, metrics_};
  std::vector<std::unique_ptr<Tracked>> conns_;
};

TEST_F(ConnectionLimiterTest, AtTheCapTheLongestIdleConnectionMakesRoom) {
  Tracked* a = Open();
  Tracked* b = Open();
  Tracked* c = Open();
  limiter_.Idle(*b->slot);
  limiter_.Idle(*a->slot);  // idle since later than b
  limiter_.Busy(*c->slot);
  Tracked* d = Open();
  ASSERT_NE(d, nullptr);
  EXPECT_TRUE(b->evicted);
  EXPECT_FALSE(a->evicted);
  EXPECT_FALSE(c->evicted);
  EXPECT_EQ(limiter_.open(), 3u);
  Tracked* e = Open();
  ASSERT_NE(e, nullptr);
  EXPECT_TRUE(a->evicted);
  EXPECT_EQ(metrics_.connections_evicted.Value(), 2u);
  // The evicted connections' sessions end later; they free nothing twice.
  limiter_.Release(*a->slot);
  limiter_.Release(*b->slot);
  EXPECT_EQ(limiter_.open(), 3u);
}

TEST_F(ConnectionLimiterTest, WithEveryConnectionBusyANewOneIsRefused) {
  Tracked* a = Open();
  Open();
  Open();
  EXPECT_EQ(Open(), nullptr);
  EXPECT_EQ(metrics_.connections_refused.Value(), 1u);
  // A connection that answered a request and waits for the next one is idle again.
  limiter_.Idle(*a->slot);
  EXPECT_NE(Open(), nullptr);
  EXPECT_TRUE(a->evicted);
}

TEST_F(ConnectionLimiterTest, ABusyConnectionIsNotEvictedAndAClosedOneFreesItsPlace) {
  Tracked* a = Open();
  Tracked* b = Open();
  Open();
  limiter_.Idle(*a->slot);
  limiter_.Busy(*a->slot);  // its next request arrived
  EXPECT_FALSE(limiter_.EvictOldestIdle());
  limiter_.Release(*b->slot);
  EXPECT_EQ(limiter_.open(), 2u);
  EXPECT_NE(Open(), nullptr);
  EXPECT_FALSE(a->evicted);
  EXPECT_EQ(metrics_.connections_open.Value(), 3);
}

TEST_F(ConnectionLimiterTest, OutOfDescriptorsEvictsTheLongestIdle) {
  Tracked* a = Open();
  Tracked* b = Open();
  limiter_.Idle(*a->slot);
  limiter_.Idle(*b->slot);
  EXPECT_TRUE(limiter_.EvictOldestIdle());
  EXPECT_TRUE(a->evicted);
  EXPECT_FALSE(b->evicted);
  EXPECT_EQ(limiter_.open(), 1u);
  limiter_.Idle(*a->slot);  // an evicted connection never becomes idle again
  EXPECT_TRUE(limiter_.EvictOldestIdle());
  EXPECT_TRUE(b->evicted);
  EXPECT_FALSE(limiter_.EvictOldestIdle());
}

}  // namespace
}  // namespace tessera::http
