// UserImportStore conformance (an import's batches) and UserStore::CreateUserGrantingFirst
// (the first_user_admin setting). The fixture, the backends and the shared helpers:
// conformance_fixture.h.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
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

std::vector<std::string> Keys(std::initializer_list<std::string> keys) { return keys; }

// The ids of the users found, sorted, with the source key each came with ("-": none).
std::vector<std::string> Found(const Result<std::vector<LinkedUser>>& found) {
  std::vector<std::string> out;
  if (!found.ok()) {
    ADD_FAILURE() << found.status().ToString();
    return out;
  }
  for (const LinkedUser& f : *found) out.push_back(f.user.email + " " + f.source_key.value_or("-"));
  std::sort(out.begin(), out.end());
  return out;
}

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
      auto found = txn.UsersOfSourceKeys(Keys({"django:auth.user:7"}));
      if (!found.ok() || found->size() != 1 || (*found)[0].user.id != u.id) {
        return InternalError("not seen");
      }
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
    EXPECT_THAT(*txn.UsersOfSourceKeys(Keys({"django:auth.user:1"})), IsEmpty());
    EXPECT_THAT(*txn.UsersByEmails(Keys({"same@example.com"})), IsEmpty());
    EXPECT_THAT(*txn.UsersByUsernames(Keys({"same"})), IsEmpty());
    TESSERA_RETURN_IF_ERROR(txn.InsertUser(mine));
    TESSERA_RETURN_IF_ERROR(txn.LinkSourceKey("django:auth.user:1", mine.id));
    mine.roles = {"staff"};
    mine.profile_json = R"({"name":"Mine"})";
    mine.updated_at = kT0 + 10;
    TESSERA_RETURN_IF_ERROR(txn.ReplaceUser(mine));
    auto found = txn.UsersByEmails(Keys({"mine@example.com"}));
    EXPECT_OK(found);
    if (found.ok() && found->size() == 1) {
      ExpectSameUser((*found)[0].user, mine);
      EXPECT_EQ((*found)[0].source_key, std::optional<std::string>("django:auth.user:1"));
    } else {
      ADD_FAILURE() << "mine not found by email";
    }
    return OkStatus();
  }));
  ExpectSameUser(*store().GetUser(app.id, mine.id), mine);
  ExpectSameUser(*store().GetUser(other.id, theirs.id), theirs);
}

// A batch asks for a set of keys in one call: every user found once, with the source key
// they are linked to; keys nobody has are left out; keys are matched exactly (quotes,
// backslashes, non-ASCII text are keys like any other, never SQL or JSON).
TEST_P(StoreConformanceTest, ImportLookupsFindWholeSetsOfKeys) {
  App app = AddApp("default");
  User ann = MakeUser(app, "ann@example.com", "ann");
  User bob = MakeUser(app, "bob@example.com", "bob");
  User odd = MakeUser(app, "o'd\\\"d@exämple.com", "o'dd\\");
  User signed_up = MakeUser(app, "sue@example.com", "sue");
  for (const User& u : {ann, bob, odd, signed_up}) ASSERT_OK(store().CreateUser(u));
  ApiToken ann_token = MakeApiToken(ann, "hash-ann", kT0);
  ASSERT_OK(store().CreateApiToken(ann_token));
  ASSERT_OK(store().RunImportBatch(app.id, true, [&](UserImportTransaction& txn) -> Status {
    TESSERA_RETURN_IF_ERROR(txn.LinkSourceKey("django:auth.user:1", ann.id));
    TESSERA_RETURN_IF_ERROR(txn.LinkSourceKey("django:auth.user:2", bob.id));
    TESSERA_RETURN_IF_ERROR(txn.LinkSourceKey("django:auth.user:2b", bob.id));  // a second key
    return txn.LinkSourceKey("users:\"'3", odd.id);
  }));
  ASSERT_OK(store().RunImportBatch(app.id, true, [&](UserImportTransaction& txn) -> Status {
    EXPECT_THAT(Found(txn.UsersOfSourceKeys(
                    Keys({"django:auth.user:1", "django:auth.user:2", "django:auth.user:2b",
                          "users:\"'3", "django:auth.user:9", "DJANGO:AUTH.USER:1"}))),
                ElementsAre("ann@example.com django:auth.user:1",
                            "bob@example.com django:auth.user:2",
                            "bob@example.com django:auth.user:2b",
                            odd.email + " users:\"'3"));
    EXPECT_THAT(Found(txn.UsersByEmails(Keys({"ann@example.com", "sue@example.com",
                                              Lower(odd.email), "nobody@example.com",
                                              "ann@example.com"}))),
                ElementsAre("ann@example.com django:auth.user:1", odd.email + " users:\"'3",
                            "sue@example.com -"));
    EXPECT_THAT(Found(txn.UsersByEmails(Keys({"bob@example.com"}))),
                ElementsAre("bob@example.com django:auth.user:2"));  // the least of its keys
    EXPECT_THAT(Found(txn.UsersByUsernames(Keys({"bob", "sue", "o'dd\\", "zed"}))),
                ElementsAre("bob@example.com django:auth.user:2", odd.email + " users:\"'3",
                            "sue@example.com -"));
    EXPECT_THAT(Found(txn.UsersOfSourceKeys({})), IsEmpty());
    EXPECT_THAT(Found(txn.UsersByEmails({})), IsEmpty());
    // Whole users, as the store reads them elsewhere.
    auto one = txn.UsersByEmails(Keys({"ann@example.com"}));
    EXPECT_OK(one);
    if (one.ok() && one->size() == 1) ExpectSameUser((*one)[0].user, ann);
    auto tokens = txn.ApiTokensByHashes(Keys({"hash-ann", "hash-nobody"}));
    EXPECT_OK(tokens);
    if (tokens.ok() && tokens->size() == 1) {
      ExpectSameApiToken((*tokens)[0], ann_token);
    } else {
      ADD_FAILURE() << "ann's token not found once";
    }
    EXPECT_THAT(*txn.ApiTokensByHashes({}), IsEmpty());
    return OkStatus();
  }));
  // Another app's batch finds none of them, but a token hash is unique across apps.
  App other = AddApp("other");
  ASSERT_OK(store().RunImportBatch(other.id, true, [&](UserImportTransaction& txn) -> Status {
    EXPECT_THAT(Found(txn.UsersOfSourceKeys(Keys({"django:auth.user:1"}))), IsEmpty());
    EXPECT_THAT(Found(txn.UsersByEmails(Keys({"ann@example.com"}))), IsEmpty());
    EXPECT_THAT(Found(txn.UsersByUsernames(Keys({"ann"}))), IsEmpty());
    EXPECT_EQ(txn.ApiTokensByHashes(Keys({"hash-ann"}))->size(), 1u);
    return OkStatus();
  }));
}

// Writes may go out together later (PostgreSQL: in pipelines): a lookup after them sees all of
// them in order; a failing one — here the 1201st of 1600, past the first pipeline — fails the
// batch with its own error and leaves nothing; the next batch works as before.
TEST_P(StoreConformanceTest, AnImportBatchsManyWritesAreSeenInOrderAndAFailureStopsIt) {
  App app = AddApp("default");
  auto user = [&](int i) {
    User u = MakeUser(app, "u" + std::to_string(i) + "@example.com", "u" + std::to_string(i));
    u.id = "imported-user-" + std::to_string(i);
    u.created_at = u.updated_at = kT0;
    return u;
  };
  auto write = [&](UserImportTransaction& txn, int from, int n, int clash_at) -> Status {
    for (int i = from; i < from + n; ++i) {
      User u = user(i);
      if (i == clash_at) u.email = u.email_normalized = "u0@example.com";
      TESSERA_RETURN_IF_ERROR(txn.InsertUser(u));
      TESSERA_RETURN_IF_ERROR(txn.LinkSourceKey("k:" + std::to_string(i), u.id));
      u.profile_json = R"({"name":"U)" + std::to_string(i) + R"("})";
      u.updated_at = kT0 + i;
      TESSERA_RETURN_IF_ERROR(txn.ReplaceUser(u));
      TESSERA_RETURN_IF_ERROR(
          txn.InsertApiToken(MakeApiToken(u, "h" + std::to_string(i), kT0 + i)));
    }
    return OkStatus();
  };
  std::vector<std::string> keys, hashes;
  for (int i = 0; i < 400; ++i) {
    keys.push_back("k:" + std::to_string(i));
    hashes.push_back("h" + std::to_string(i));
  }
  ASSERT_OK(store().RunImportBatch(app.id, true, [&](UserImportTransaction& txn) -> Status {
    TESSERA_RETURN_IF_ERROR(write(txn, 0, 400, -1));
    TESSERA_ASSIGN_OR_RETURN(auto found, txn.UsersOfSourceKeys(keys));
    EXPECT_EQ(found.size(), 400u);
    for (const LinkedUser& f : found) {
      EXPECT_EQ(f.user.profile_json, R"({"name":"U)" + f.source_key->substr(2) + R"("})");
    }
    TESSERA_ASSIGN_OR_RETURN(auto tokens, txn.ApiTokensByHashes(hashes));
    EXPECT_EQ(tokens.size(), 400u);
    return OkStatus();
  }));
  Status failed = store().RunImportBatch(app.id, true, [&](UserImportTransaction& txn) {
    return write(txn, 400, 400, 700);
  });
  EXPECT_TRUE(failed.ClashedOn(UserUniqueKey::kEmail)) << failed.ToString();
  EXPECT_EQ(*store().CountUsers(app.id), 400);
  EXPECT_CODE(store().GetApiTokenByHash("h400"), StatusCode::kNotFound);
  // A dry run's writes are all made (and checked), then undone.
  EXPECT_CODE(store().RunImportBatch(app.id, false,
                                     [&](UserImportTransaction& txn) {
                                       return write(txn, 400, 400, -1);
                                     }),
              StatusCode::kAborted);
  Status dry_failed = store().RunImportBatch(app.id, false, [&](UserImportTransaction& txn) {
    return write(txn, 400, 400, 799);
  });
  EXPECT_TRUE(dry_failed.ClashedOn(UserUniqueKey::kEmail)) << dry_failed.ToString();
  EXPECT_EQ(*store().CountUsers(app.id), 400);
  ASSERT_OK(store().RunImportBatch(app.id, true, [&](UserImportTransaction& txn) {
    return write(txn, 400, 10, -1);
  }));
  EXPECT_EQ(*store().CountUsers(app.id), 410);
  ExpectSameUser(*store().GetUser(app.id, user(405).id), [&] {
    User u = user(405);
    u.profile_json = R"({"name":"U405"})";
    u.updated_at = kT0 + 405;
    return u;
  }());
}

}  // namespace
}  // namespace tessera::store::test
