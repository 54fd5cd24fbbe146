// The PostgreSQL engine's pool after the server ended its sessions (a restart, a failover):
// a connection that sat idle through it is noticed and reset before its next use, so the
// first requests after the database is back do not fail.
#include <gtest/gtest.h>

#include "crypto/encoding.h"
#include "crypto/random.h"
#include "tests/store/test_database.h"

namespace tessera::store::sql {
namespace {

TEST(PostgresPoolTest, ConnectionsTheServerEndedWhileIdleAreResetBeforeUse) {
  if (test::PostgresTestUrl().empty()) GTEST_SKIP() << "no PostgreSQL test server";
  auto db = std::move(test::TestDatabase::Create("postgres")).value();
  StoreOptions options = db->options();
  const std::string name = "tessera-pool-" + crypto::Base64UrlEncode(crypto::RandomBytes(6));
  options.database_url += "&application_name=" + name;
  options.pool_size = 4;
  auto store = OpenStore(options);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ASSERT_TRUE((*store)->Ping().ok());

  // The server ends every session of this pool while they sit idle. The timeout makes the
  // call wait until each backend has exited (its goodbye written): without it the signal is
  // only sent, and a query racing the termination is a different case from the one tested.
  ASSERT_TRUE(test::PostgresExec(test::PostgresTestUrl(),
                                 "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
                                 "WHERE application_name = '" + name + "'")
                  .ok());
  // Every pooled connection is used once more: none may fail for having been ended.
  for (int i = 0; i < 2 * options.pool_size; ++i) {
    Status s = (*store)->Ping();
    EXPECT_TRUE(s.ok()) << "use " << i << ": " << s.ToString();
  }
}

}  // namespace
}  // namespace tessera::store::sql
