// AppApiKeyStore conformance: the apps' backend API keys (the developer console).
// The fixture, the backends and the shared helpers: conformance_fixture.h.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "conformance_fixture.h"

namespace tessera::store::test {
namespace {

AppApiKey MakeAppApiKey(const App& app, const std::string& hash, UnixMillis created_at) {
  AppApiKey k;
  k.id = NewId();
  k.app_id = app.id;
  k.name = "backend <'\"&>";
  k.prefix = "tsk_" + hash.substr(0, 4);
  k.key_hash = hash;
  k.created_by = NewId();
  k.created_at = created_at;
  return k;
}

void ExpectSameAppApiKey(const AppApiKey& got, const AppApiKey& want) {
  using K = AppApiKey;
  ExpectSameFields(got, want, FIELD(K, id), FIELD(K, app_id), FIELD(K, name), FIELD(K, prefix),
                   FIELD(K, key_hash), FIELD(K, created_by), FIELD(K, created_at),
                   FIELD(K, last_used_at), FIELD(K, revoked_at));
}

TEST_P(StoreConformanceTest, CreateAndGetAppApiKeyAndHashClash) {
  App app = AddApp("default");
  App other = AddApp("other");
  AppApiKey k = MakeAppApiKey(app, "key-hash-1", kAfter2038);
  ASSERT_OK(store().CreateAppApiKey(k));
  AppApiKey cli = MakeAppApiKey(other, "key-hash-2", kT0);
  cli.created_by = "";  // made by the CLI
  ASSERT_OK(store().CreateAppApiKey(cli));

  auto got = store().GetAppApiKeyByHash("key-hash-1");
  ASSERT_OK(got);
  ExpectSameAppApiKey(*got, k);
  got = store().GetAppApiKeyByHash("key-hash-2");
  ASSERT_OK(got);
  ExpectSameAppApiKey(*got, cli);
  EXPECT_CODE(store().GetAppApiKeyByHash("no-such-hash"), StatusCode::kNotFound);

  // The hash is unique across apps.
  EXPECT_CLASH(store().CreateAppApiKey(MakeAppApiKey(other, "key-hash-1", kT0)),
               AppApiKeyUniqueKey::kKeyHash);
  AppApiKey same_id = MakeAppApiKey(app, "key-hash-3", kT0);
  same_id.id = k.id;
  EXPECT_CLASH(store().CreateAppApiKey(same_id), AppApiKeyUniqueKey::kId);
  got = store().GetAppApiKeyByHash("key-hash-1");
  ASSERT_OK(got);
  ExpectSameAppApiKey(*got, k);
  EXPECT_CODE(store().GetAppApiKeyByHash("key-hash-3"), StatusCode::kNotFound);
  auto listed = store().ListAppApiKeys(other.id);
  ASSERT_OK(listed);
  EXPECT_THAT(Ids(*listed), ElementsAre(cli.id));
}

TEST_P(StoreConformanceTest, ListAppApiKeysLiveOfTheAppNewestFirst) {
  App app = AddApp("default");
  App other = AddApp("other");
  AppApiKey oldest = MakeAppApiKey(app, "key-hash-1", kT0);
  AppApiKey middle = MakeAppApiKey(app, "key-hash-2", kT0 + kMinute);
  AppApiKey newest = MakeAppApiKey(app, "key-hash-3", kT0 + kHour);
  AppApiKey revoked = MakeAppApiKey(app, "key-hash-4", kT0 + kDay);
  AppApiKey others = MakeAppApiKey(other, "key-hash-5", kT0 + 2 * kDay);
  for (const AppApiKey* k : {&middle, &newest, &oldest, &revoked, &others}) {
    ASSERT_OK(store().CreateAppApiKey(*k));
  }
  ASSERT_OK(store().RevokeAppApiKey(app.id, revoked.id, kT0 + kDay + 1));

  auto listed = store().ListAppApiKeys(app.id);
  ASSERT_OK(listed);
  EXPECT_THAT(Ids(*listed), ElementsAre(newest.id, middle.id, oldest.id));
  ExpectSameAppApiKey((*listed)[1], middle);
  auto theirs = store().ListAppApiKeys(other.id);
  ASSERT_OK(theirs);
  EXPECT_THAT(Ids(*theirs), ElementsAre(others.id));
  auto none = store().ListAppApiKeys(NewId());
  ASSERT_OK(none);
  EXPECT_THAT(*none, IsEmpty());
}

TEST_P(StoreConformanceTest, RevokeAppApiKey) {
  App app = AddApp("default");
  App other = AddApp("other");
  AppApiKey k = MakeAppApiKey(app, "key-hash-1", kT0);
  ASSERT_OK(store().CreateAppApiKey(k));

  EXPECT_CODE(store().RevokeAppApiKey(other.id, k.id, kT0 + 1), StatusCode::kNotFound);
  EXPECT_CODE(store().RevokeAppApiKey(app.id, NewId(), kT0 + 1), StatusCode::kNotFound);
  auto got = store().GetAppApiKeyByHash("key-hash-1");
  ASSERT_OK(got);
  EXPECT_EQ(got->revoked_at, std::nullopt);

  ASSERT_OK(store().RevokeAppApiKey(app.id, k.id, kT0 + kMinute));
  got = store().GetAppApiKeyByHash("key-hash-1");
  ASSERT_OK(got);
  EXPECT_EQ(got->revoked_at, kT0 + kMinute);  // still found by hash: the caller checks
  EXPECT_CODE(store().RevokeAppApiKey(app.id, k.id, kT0 + kHour), StatusCode::kNotFound);
  got = store().GetAppApiKeyByHash("key-hash-1");
  ASSERT_OK(got);
  EXPECT_EQ(got->revoked_at, kT0 + kMinute);  // the first revocation's time stays
  auto listed = store().ListAppApiKeys(app.id);
  ASSERT_OK(listed);
  EXPECT_THAT(*listed, IsEmpty());
}

TEST_P(StoreConformanceTest, TouchAppApiKey) {
  App app = AddApp("default");
  AppApiKey k = MakeAppApiKey(app, "key-hash-1", kT0);
  AppApiKey untouched = MakeAppApiKey(app, "key-hash-2", kT0);
  ASSERT_OK(store().CreateAppApiKey(k));
  ASSERT_OK(store().CreateAppApiKey(untouched));

  ASSERT_OK(store().TouchAppApiKey(k.id, kT0 + kMinute));
  auto got = store().GetAppApiKeyByHash("key-hash-1");
  ASSERT_OK(got);
  EXPECT_EQ(got->last_used_at, kT0 + kMinute);
  ASSERT_OK(store().TouchAppApiKey(k.id, kAfter2038));
  got = store().GetAppApiKeyByHash("key-hash-1");
  ASSERT_OK(got);
  EXPECT_EQ(got->last_used_at, kAfter2038);
  auto other = store().GetAppApiKeyByHash("key-hash-2");
  ASSERT_OK(other);
  EXPECT_EQ(other->last_used_at, std::nullopt);
  auto listed = store().ListAppApiKeys(app.id);
  ASSERT_OK(listed);
  ASSERT_EQ(listed->size(), 2u);
  for (const AppApiKey& l : *listed) {
    EXPECT_EQ(l.last_used_at, l.id == k.id ? std::optional<UnixMillis>(kAfter2038) : std::nullopt);
  }
}

// ---------------------------------------------------------------------------------------
// Deleting an app

TEST_P(StoreConformanceTest, DeletingAnAppTakesItsMembersAndApiKeys) {
  App console = AddApp("console");
  App app = AddApp("default");
  User ann = AddUser(console, "ann@example.com");
  ASSERT_OK(store().AddAppMember(MakeMember(app, ann, MemberRole::kOwner, kT0)));
  ASSERT_OK(store().AddAppMember(MakeMember(console, ann, MemberRole::kOwner, kT0)));
  ASSERT_OK(store().CreateAppApiKey(MakeAppApiKey(app, "key-hash-1", kT0)));
  ASSERT_OK(ExecSql("DELETE FROM apps WHERE id = $1", {app.id}));
  EXPECT_CODE(store().GetAppMember(app.id, ann.id), StatusCode::kNotFound);
  EXPECT_CODE(store().GetAppApiKeyByHash("key-hash-1"), StatusCode::kNotFound);
  auto left = store().ListMembershipsOfUser(ann.id);
  ASSERT_OK(left);
  EXPECT_THAT(Pluck(*left, &AppMember::app_id), ElementsAre(console.id));
}

}  // namespace
}  // namespace tessera::store::test
