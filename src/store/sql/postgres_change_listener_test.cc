// The PostgreSQL transport of change notices, on the live test server: what one store sends
// reaches every listener, a listener that lost its connection comes back by itself and then
// drops every cache (notices sent meanwhile are lost).
#include "store/sql/postgres_change_listener.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "crypto/encoding.h"
#include "crypto/random.h"
#include "tests/store/test_database.h"

namespace tessera::store::sql {
namespace {

using namespace std::chrono_literals;

// What one node's subscribers heard.
struct Heard {
  std::mutex mu;
  std::vector<std::string> keys;
  void Add(std::string_view key) {
    std::lock_guard lock(mu);
    keys.emplace_back(key);
  }
  bool Has(std::string_view key) {
    std::lock_guard lock(mu);
    return std::find(keys.begin(), keys.end(), key) != keys.end();
  }
  size_t Count(std::string_view key) {
    std::lock_guard lock(mu);
    return std::count(keys.begin(), keys.end(), key);
  }
};

template <typename Pred>
bool Within(std::chrono::milliseconds limit, Pred pred) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (pred()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return pred();
}

class PostgresChangeListenerTest : public testing::Test {
 protected:
  void SetUp() override {
    if (test::PostgresTestUrl().empty()) GTEST_SKIP() << "no PostgreSQL test server";
    db_ = std::move(test::TestDatabase::Create("postgres")).value();
    store_ = std::move(db_->OpenStore()).value();
    for (int i = 0; i < 2; ++i) {
      notices_[i].Subscribe(ChangeTopic::kApp, [this, i](std::string_view k) { heard_[i].Add(k); });
    }
  }
  std::string UniqueKey() { return "app-" + crypto::Base64UrlEncode(crypto::RandomBytes(6)); }

  std::unique_ptr<test::TestDatabase> db_;
  std::unique_ptr<Store> store_;
  ChangeNotices notices_[2];
  Heard heard_[2];
};

TEST_F(PostgresChangeListenerTest, ANoticeSentByOneStoreReachesEveryListeningNode) {
  Metrics metrics;
  EXPECT_EQ(metrics.change_listener_up.Value(), 0);
  auto node1 = ListenForChanges(test::PostgresTestUrl(), notices_[0], &metrics);
  auto node2 = ListenForChanges(test::PostgresTestUrl(), notices_[1]);
  ASSERT_TRUE(Within(10s, [&] { return node1->listening() && node2->listening(); }));
  EXPECT_EQ(metrics.change_listener_up.Value(), 1);
  // On connecting, each dropped everything once ("").
  EXPECT_TRUE(Within(2s, [&] { return heard_[0].Has("") && heard_[1].Has(""); }));

  std::string key = UniqueKey();
  ASSERT_TRUE(store_->SendChangeNotice(ChangeNotices::Payload(ChangeTopic::kApp, key)).ok());
  EXPECT_TRUE(Within(5s, [&] { return heard_[0].Has(key) && heard_[1].Has(key); }));
  // Another topic's notice, and a payload of no known topic, reach no app subscriber.
  std::string other = UniqueKey();
  ASSERT_TRUE(store_->SendChangeNotice(ChangeNotices::Payload(ChangeTopic::kSigningKeys, other)).ok());
  ASSERT_TRUE(store_->SendChangeNotice("unknown-topic:" + other).ok());
  std::string last = UniqueKey();
  ASSERT_TRUE(store_->SendChangeNotice(ChangeNotices::Payload(ChangeTopic::kApp, last)).ok());
  ASSERT_TRUE(Within(5s, [&] { return heard_[0].Has(last); }));
  EXPECT_FALSE(heard_[0].Has(other));
  EXPECT_EQ(heard_[0].Count(key), 1u);
  EXPECT_GE(metrics.change_notices_received.Value(), 4u);
  node1.reset();
  EXPECT_EQ(metrics.change_listener_up.Value(), 0);
}

TEST_F(PostgresChangeListenerTest, AListenerWhoseConnectionWasKilledComesBackAndDropsEverything) {
  std::string app_name = "tessera-listener-" + crypto::Base64UrlEncode(crypto::RandomBytes(6));
  std::string url = test::PostgresTestUrl();
  url += (url.find('?') == std::string::npos ? "?" : "&");
  url += "application_name=" + app_name;
  auto node = ListenForChanges(url, notices_[0]);
  ASSERT_TRUE(Within(10s, [&] { return node->listening(); }));
  ASSERT_TRUE(Within(2s, [&] { return heard_[0].Count("") == 1; }));

  // The server ends the connection (as a restart or a failover would).
  ASSERT_TRUE(test::PostgresExec(test::PostgresTestUrl(),
                                 "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                 "WHERE application_name = '" + app_name + "'")
                  .ok());
  EXPECT_TRUE(Within(15s, [&] { return heard_[0].Count("") == 2; }))
      << "the listener did not reconnect and drop every cache";
  ASSERT_TRUE(Within(5s, [&] { return node->listening(); }));
  std::string key = UniqueKey();
  ASSERT_TRUE(store_->SendChangeNotice(ChangeNotices::Payload(ChangeTopic::kApp, key)).ok());
  EXPECT_TRUE(Within(5s, [&] { return heard_[0].Has(key); }));
}

TEST(SqliteChangeNoticeTest, SqliteSendsNothingAndSaysOk) {
  auto db = std::move(test::TestDatabase::Create("sqlite")).value();
  auto store = std::move(db->OpenStore()).value();
  EXPECT_TRUE(store->SendChangeNotice("app:acme").ok());
}

}  // namespace
}  // namespace tessera::store::sql
