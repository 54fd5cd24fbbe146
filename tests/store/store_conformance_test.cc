// Store-wide conformance: Ping and Backend, isolation of the test databases, an
// unreachable database, and times at the edges of their range through every record kind.
// The fixture, the backends and the shared helpers: conformance_fixture.h.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>

#include "conformance_fixture.h"
#include "store/open_store.h"

namespace tessera::store::test {
namespace {

// ---------------------------------------------------------------------------------------
// Ping, Backend, isolation

TEST_P(StoreConformanceTest, PingAndBackend) {
  EXPECT_OK(store().Ping());
  EXPECT_EQ(store().Backend(), GetParam());
}

TEST_P(StoreConformanceTest, FreshStoreIsEmpty) {
  auto apps = store().ListApps();
  ASSERT_OK(apps);
  EXPECT_THAT(*apps, IsEmpty());
  auto keys = store().ListSigningKeys();
  ASSERT_OK(keys);
  EXPECT_THAT(*keys, IsEmpty());
  // Every test creates "default" in its own database: no clash across tests.
  AddApp("default");
}

TEST_P(StoreConformanceTest, EachTestDatabaseIsIsolated) {
  auto other_db = TestDatabase::Create(GetParam());
  ASSERT_OK(other_db);
  auto other = (*other_db)->OpenStore();
  ASSERT_OK(other);

  App mine = AddApp("default");
  App theirs = MakeApp("default");
  EXPECT_OK((*other)->CreateApp(theirs));

  auto got = store().GetAppBySlug("default");
  ASSERT_OK(got);
  EXPECT_EQ(got->id, mine.id);
  auto listed = (*other)->ListApps();
  ASSERT_OK(listed);
  EXPECT_THAT(Ids(*listed), ElementsAre(theirs.id));
  other->reset();
}

TEST_P(StoreConformanceTest, UnreachableDatabaseIsUnavailable) {
  StoreOptions options;
  if (GetParam() == "sqlite") {
    options.sqlite_path = "/nonexistent-tessera-dir/sub/tessera.db";
  } else {
    options.database_url = "postgres://nobody@127.0.0.1:1/tessera?connect_timeout=2";
  }
  EXPECT_CODE(OpenStore(options), StatusCode::kUnavailable);
}

// ---------------------------------------------------------------------------------------
// Times

TEST_P(StoreConformanceTest, TimesRoundTripExactly) {
  App app = MakeApp("default");
  app.created_at = kYear9999;
  ASSERT_OK(store().CreateApp(app));
  auto got_app = store().GetAppBySlug("default");
  ASSERT_OK(got_app);
  EXPECT_EQ(got_app->created_at, kYear9999);

  User u = MakeUser(app, "ann@example.com");
  u.created_at = kAfter2038;
  u.updated_at = kAfter2038 + 1;
  u.last_login_at = kPastDoubles;
  ASSERT_OK(store().CreateUser(u));
  auto got_user = store().GetUser(app.id, u.id);
  ASSERT_OK(got_user);
  EXPECT_EQ(got_user->created_at, kAfter2038);
  EXPECT_EQ(got_user->updated_at, kAfter2038 + 1);
  EXPECT_EQ(got_user->last_login_at, kPastDoubles);

  ASSERT_OK(store().RecordLogin(app.id, u.id, kAfter2038 + 7, std::nullopt));
  got_user = store().GetUser(app.id, u.id);
  ASSERT_OK(got_user);
  EXPECT_EQ(got_user->last_login_at, kAfter2038 + 7);

  Session s = MakeSession(u, kAfter2038, kYear9999);
  s.last_used_at = kAfter2038 + 3;
  ASSERT_OK(store().CreateSession(s, MakeToken("rt", kAfter2038, kYear9999)));
  auto got_session = store().GetSession(app.id, s.id);
  ASSERT_OK(got_session);
  ExpectSameSession(*got_session, s);

  ApiToken t = MakeApiToken(u, "at-hash", kAfter2038 + 11);
  t.expires_at = kYear9999;
  ASSERT_OK(store().CreateApiToken(t));
  auto got_token = store().GetApiTokenByHash("at-hash");
  ASSERT_OK(got_token);
  ExpectSameApiToken(*got_token, t);

  SigningKeyRecord k = MakeKey("k1", kAfter2038 + 13);
  k.retired_at = kYear9999;
  ASSERT_OK(store().InsertSigningKey(k));
  auto keys = store().ListSigningKeys();
  ASSERT_OK(keys);
  ASSERT_EQ(keys->size(), 1u);
  ExpectSameKey((*keys)[0], k);
}

}  // namespace
}  // namespace tessera::store::test
