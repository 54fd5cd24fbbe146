// ApiTokenStore conformance: users' personal API tokens.
// The fixture, the backends and the shared helpers: conformance_fixture.h.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>

#include "conformance_fixture.h"

namespace tessera::store::test {
namespace {

TEST_P(StoreConformanceTest, CreateAndGetApiToken) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  ApiToken forever = MakeApiToken(u, "hash-forever", kT0);
  ASSERT_OK(store().CreateApiToken(forever));
  ApiToken expiring = MakeApiToken(u, "hash-expiring", kT0 + 1);
  expiring.expires_at = kT0 + 90 * kDay;
  ASSERT_OK(store().CreateApiToken(expiring));

  auto got = store().GetApiTokenByHash("hash-forever");
  ASSERT_OK(got);
  ExpectSameApiToken(*got, forever);
  got = store().GetApiTokenByHash("hash-expiring");
  ASSERT_OK(got);
  ExpectSameApiToken(*got, expiring);
  EXPECT_CODE(store().GetApiTokenByHash("no-such-hash"), StatusCode::kNotFound);
}

TEST_P(StoreConformanceTest, ApiTokenHashAndIdClash) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  ApiToken first = MakeApiToken(u, "hash-1", kT0);
  ASSERT_OK(store().CreateApiToken(first));
  EXPECT_CLASH(store().CreateApiToken(MakeApiToken(u, "hash-1", kT0 + 1)),
               ApiTokenUniqueKey::kTokenHash);
  ApiToken same_id = MakeApiToken(u, "hash-2", kT0 + 1);
  same_id.id = first.id;
  EXPECT_CLASH(store().CreateApiToken(same_id), ApiTokenUniqueKey::kId);
  auto list = store().ListApiTokens(app.id, u.id);
  ASSERT_OK(list);
  EXPECT_EQ(list->size(), 1u);
}

TEST_P(StoreConformanceTest, ListApiTokensExcludesRevokedAndOthers) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  User other = AddUser(app, "bob@example.com");
  ApiToken t1 = MakeApiToken(u, "hash-1", kT0);
  ApiToken t2 = MakeApiToken(u, "hash-2", kT0 + 1);
  ApiToken revoked = MakeApiToken(u, "hash-3", kT0 + 2);
  ApiToken bobs = MakeApiToken(other, "hash-4", kT0 + 3);
  for (const ApiToken& t : {t1, t2, revoked, bobs}) ASSERT_OK(store().CreateApiToken(t));
  ASSERT_OK(store().RevokeApiToken(app.id, u.id, revoked.id, kT0 + kHour));

  auto list = store().ListApiTokens(app.id, u.id);
  ASSERT_OK(list);
  EXPECT_THAT(Ids(*list), UnorderedElementsAre(t1.id, t2.id));
  for (const ApiToken& t : *list) {
    if (t.id == t2.id) ExpectSameApiToken(t, t2);
  }
  App b = AddApp("b");
  auto none = store().ListApiTokens(b.id, u.id);
  ASSERT_OK(none);
  EXPECT_THAT(*none, IsEmpty());
}

TEST_P(StoreConformanceTest, RevokeApiToken) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  User other = AddUser(app, "bob@example.com");
  App b = AddApp("b");
  ApiToken t = MakeApiToken(u, "hash-1", kT0);
  ASSERT_OK(store().CreateApiToken(t));

  EXPECT_CODE(store().RevokeApiToken(app.id, other.id, t.id, kT0 + 1), StatusCode::kNotFound);
  EXPECT_CODE(store().RevokeApiToken(b.id, u.id, t.id, kT0 + 1), StatusCode::kNotFound);
  EXPECT_CODE(store().RevokeApiToken(app.id, u.id, NewId(), kT0 + 1), StatusCode::kNotFound);
  auto got = store().GetApiTokenByHash("hash-1");
  ASSERT_OK(got);
  EXPECT_EQ(got->revoked_at, std::nullopt);

  ASSERT_OK(store().RevokeApiToken(app.id, u.id, t.id, kT0 + kMinute));
  got = store().GetApiTokenByHash("hash-1");
  ASSERT_OK(got);
  EXPECT_EQ(got->revoked_at, kT0 + kMinute);  // still found by hash: the caller checks
  EXPECT_CODE(store().RevokeApiToken(app.id, u.id, t.id, kT0 + kHour), StatusCode::kNotFound);
  got = store().GetApiTokenByHash("hash-1");
  ASSERT_OK(got);
  EXPECT_EQ(got->revoked_at, kT0 + kMinute);
}

// Issue 11, item 3: logout-all, a password change and a reset revoke a user's tokens at once.
TEST_P(StoreConformanceTest, RevokeUserApiTokensRevokesOnlyTheUsersLiveTokens) {
  App app = AddApp("default");
  App b = AddApp("b");
  User u = AddUser(app, "ann@example.com");
  User other = AddUser(app, "bob@example.com");
  User in_b = AddUser(b, "ann@example.com");
  ApiToken live1 = MakeApiToken(u, "hash-1", kT0);
  ApiToken live2 = MakeApiToken(u, "hash-2", kT0 + 1);
  live2.expires_at = kT0 + kDay;
  ApiToken expired = MakeApiToken(u, "hash-3", kT0 + 2);
  expired.expires_at = kT0 + kMinute;
  ApiToken revoked = MakeApiToken(u, "hash-4", kT0 + 3);
  ApiToken bobs = MakeApiToken(other, "hash-5", kT0 + 4);
  ApiToken other_app = MakeApiToken(in_b, "hash-6", kT0 + 5);
  for (const ApiToken& t : {live1, live2, expired, revoked, bobs, other_app}) {
    ASSERT_OK(store().CreateApiToken(t));
  }
  ASSERT_OK(store().RevokeApiToken(app.id, u.id, revoked.id, kT0 + kMinute));

  auto ids = store().RevokeUserApiTokens(app.id, u.id, kT0 + kHour);
  ASSERT_OK(ids);
  EXPECT_THAT(*ids, UnorderedElementsAre(live1.id, live2.id));
  for (const char* hash : {"hash-1", "hash-2"}) {
    auto got = store().GetApiTokenByHash(hash);
    ASSERT_OK(got);
    EXPECT_EQ(got->revoked_at, kT0 + kHour) << hash;
  }
  auto kept = store().GetApiTokenByHash("hash-4");
  ASSERT_OK(kept);
  EXPECT_EQ(kept->revoked_at, kT0 + kMinute);  // revoked before: its time stays
  for (const char* hash : {"hash-3", "hash-5", "hash-6"}) {
    auto got = store().GetApiTokenByHash(hash);
    ASSERT_OK(got);
    EXPECT_EQ(got->revoked_at, std::nullopt) << hash;
  }
  auto again = store().RevokeUserApiTokens(app.id, u.id, kT0 + 2 * kHour);
  ASSERT_OK(again);
  EXPECT_THAT(*again, IsEmpty());
}

TEST_P(StoreConformanceTest, TouchApiToken) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  ApiToken t = MakeApiToken(u, "hash-1", kT0);
  ApiToken untouched = MakeApiToken(u, "hash-2", kT0);
  ASSERT_OK(store().CreateApiToken(t));
  ASSERT_OK(store().CreateApiToken(untouched));

  ASSERT_OK(store().TouchApiToken(t.id, kT0 + kMinute));
  auto got = store().GetApiTokenByHash("hash-1");
  ASSERT_OK(got);
  EXPECT_EQ(got->last_used_at, kT0 + kMinute);
  ASSERT_OK(store().TouchApiToken(t.id, kT0 + kHour));
  got = store().GetApiTokenByHash("hash-1");
  ASSERT_OK(got);
  EXPECT_EQ(got->last_used_at, kT0 + kHour);
  auto other = store().GetApiTokenByHash("hash-2");
  ASSERT_OK(other);
  EXPECT_EQ(other->last_used_at, std::nullopt);
}

}  // namespace
}  // namespace tessera::store::test
