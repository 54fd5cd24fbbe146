// UserImportStore conformance (an import's batches) and UserStore::CreateUserGrantingFirst
// (the first_user_admin setting). The fixture, the backends and the shared helpers:
// conformance_fixture.h.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <optional>
#include <string>

#include "conformance_fixture.h"

namespace tessera::store::test {
namespace {

// ---------------------------------------------------------------------------------------
// The first account of an app

TEST_P(StoreConformanceTest, OnlyTheAppsFirstUserIsGrantedTheRole) {
  App app = AddApp("default");
  App other = AddApp("other");
  ASSERT_OK(store().CreateUser(MakeUser(other, "someone@example.com")));  // another app's

  User first = MakeUser(app, "first@example.com");
  first.roles = {"editor"};
  auto granted = store().CreateUserGrantingFirst(first, "admin");
  ASSERT_OK(granted);
  EXPECT_TRUE(*granted);
  EXPECT_THAT(store().GetUser(app.id, first.id)->roles, ElementsAre("editor", "admin"));

  User second = MakeUser(app, "second@example.com");
  second.roles.clear();
  granted = store().CreateUserGrantingFirst(second, "admin");
  ASSERT_OK(granted);
  EXPECT_FALSE(*granted);
  EXPECT_THAT(store().GetUser(app.id, second.id)->roles, IsEmpty());
  // A clash is the same kAlreadyExists as CreateUser's, and grants nothing.
  EXPECT_TRUE(store().CreateUserGrantingFirst(MakeUser(app, "FIRST@example.com"), "admin")
                  .status()
                  .ClashedOn(UserUniqueKey::kEmail));
}

TEST_P(StoreConformanceTest, OfConcurrentFirstSignUpsExactlyOneIsFirst) {
  App app = AddApp("default");
  std::atomic<int> firsts = 0, created = 0;
  RunConcurrently(8, [&](int i) {
    auto r = store().CreateUserGrantingFirst(MakeUser(app, "u" + std::to_string(i) + "@example.com"),
                                             "admin");
    if (r.ok()) {
      created++;
      if (*r) firsts++;
    }
  });
  EXPECT_EQ(created.load(), 8);
  EXPECT_EQ(firsts.load(), 1);
  auto page = store().ListUsers({.app_id = app.id, .limit = 50});
  ASSERT_OK(page);
  int admins = 0;
  for (const User& u : page->users) {
    admins += u.roles == std::vector<std::string>{"member", "admin"};
  }
  EXPECT_EQ(admins, 1);
}

// ---------------------------------------------------------------------------------------
// Import batches

TEST_P(StoreConformanceTest, AnImportBatchCommitsOrRollsBackAsOne) {
  App app = AddApp("default");
  User u = MakeUser(app, "imported@example.com");
  ApiToken t = MakeApiToken(u, "hash-of-a-drf-key", kT0);
  auto run = [&](bool commit) {
    return store().RunImportBatch(app.id, commit, [&](UserImportTransaction& txn) -> Status {
      TESSERA_RETURN_IF_ERROR(txn.InsertUser(u));
      TESSERA_RETURN_IF_ERROR(txn.LinkSourceKey("django:auth.user:7", u.id));
      TESSERA_RETURN_IF_ERROR(txn.InsertApiToken(t));
      // Later steps of a batch see its earlier writes.
      auto found = txn.UserOfSourceKey("django:auth.user:7");
      if (!found.ok() || !*found || (*found)->id != u.id) return InternalError("not seen");
      return OkStatus();
    });
  };
  // A dry run: everything ran, nothing stays.
  EXPECT_CODE(run(false), StatusCode::kAborted);
  EXPECT_CODE(store().GetUser(app.id, u.id), StatusCode::kNotFound);
  EXPECT_CODE(store().GetApiTokenByHash(t.token_hash), StatusCode::kNotFound);
  // Committed.
  ASSERT_OK(run(true));
  ExpectSameUser(*store().GetUser(app.id, u.id), u);
  EXPECT_EQ(store().GetApiTokenByHash(t.token_hash)->user_id, u.id);
  // A failing step leaves nothing of its batch.
  User v = MakeUser(app, "second@example.com");
  Status failed = store().RunImportBatch(app.id, true, [&](UserImportTransaction& txn) -> Status {
    TESSERA_RETURN_IF_ERROR(txn.InsertUser(v));
    return txn.LinkSourceKey("django:auth.user:7", v.id);  // the key is u's already
  });
  EXPECT_TRUE(failed.ClashedOn(UserImportUniqueKey::kSourceKey)) << failed.ToString();
  EXPECT_CODE(store().GetUser(app.id, v.id), StatusCode::kNotFound);
}

TEST_P(StoreConformanceTest, ImportLookupsAreOfTheBatchsAppOnly) {
  App app = AddApp("default");
  App other = AddApp("other");
  User theirs = MakeUser(other, "same@example.com", "same");
  ASSERT_OK(store().CreateUser(theirs));
  ASSERT_OK(store().RunImportBatch(other.id, true, [&](UserImportTransaction& txn) {
    return txn.LinkSourceKey("django:auth.user:1", theirs.id);
  }));
  User mine = MakeUser(app, "mine@example.com");
  ASSERT_OK(store().RunImportBatch(app.id, true, [&](UserImportTransaction& txn) -> Status {
    EXPECT_FALSE(*txn.UserOfSourceKey("django:auth.user:1"));
    EXPECT_FALSE(*txn.UserByEmail("same@example.com"));
    EXPECT_FALSE(*txn.UserByUsername("same"));
    EXPECT_FALSE(*txn.SourceKeyOfUser(theirs.id));
    TESSERA_RETURN_IF_ERROR(txn.InsertUser(mine));
    TESSERA_RETURN_IF_ERROR(txn.LinkSourceKey("django:auth.user:1", mine.id));
    mine.roles = {"staff"};
    mine.profile_json = R"({"name":"Mine"})";
    mine.updated_at = kT0 + 10;
    TESSERA_RETURN_IF_ERROR(txn.ReplaceUser(mine));
    EXPECT_EQ(*txn.SourceKeyOfUser(mine.id), std::optional<std::string>("django:auth.user:1"));
    return OkStatus();
  }));
  ExpectSameUser(*store().GetUser(app.id, mine.id), mine);
  ExpectSameUser(*store().GetUser(other.id, theirs.id), theirs);
}

}  // namespace
}  // namespace tessera::store::test
