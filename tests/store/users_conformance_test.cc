// UserStore conformance: creating, finding and updating users, and recording logins.
// The fixture, the backends and the shared helpers: conformance_fixture.h.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "conformance_fixture.h"

namespace tessera::store::test {
namespace {

// ---------------------------------------------------------------------------------------
// Create and get

TEST_P(StoreConformanceTest, CreateAndGetUser) {
  App app = AddApp("default");
  User u = MakeUser(app, "Ann@Example.COM", "Ann_1");
  u.email_verified = true;
  u.roles = {"admin", "member"};
  u.profile_json = R"({"name":"Ann","about":"ünïcødé ✓"})";
  u.last_login_at = kT0 + 5;
  ASSERT_OK(store().CreateUser(u));

  auto by_id = store().GetUser(app.id, u.id);
  ASSERT_OK(by_id);
  ExpectSameUser(*by_id, u);
  auto by_email = store().GetUserByEmail(app.id, "ann@example.com");
  ASSERT_OK(by_email);
  ExpectSameUser(*by_email, u);
  auto by_username = store().GetUserByUsername(app.id, "ann_1");
  ASSERT_OK(by_username);
  ExpectSameUser(*by_username, u);
}

TEST_P(StoreConformanceTest, UserOptionalFieldsReadBackEmpty) {
  App app = AddApp("default");
  User u = MakeUser(app, "bob@example.com");
  u.password_hash.reset();
  u.roles.clear();
  u.disabled = true;
  ASSERT_OK(store().CreateUser(u));
  auto got = store().GetUser(app.id, u.id);
  ASSERT_OK(got);
  ExpectSameUser(*got, u);
  EXPECT_EQ(got->username, std::nullopt);
  EXPECT_EQ(got->password_hash, std::nullopt);
  EXPECT_EQ(got->last_login_at, std::nullopt);
}

TEST_P(StoreConformanceTest, MissingUserIsNotFound) {
  App app = AddApp("default");
  AddUser(app, "ann@example.com", "ann");
  EXPECT_CODE(store().GetUser(app.id, NewId()), StatusCode::kNotFound);
  EXPECT_CODE(store().GetUserByEmail(app.id, "nobody@example.com"), StatusCode::kNotFound);
  EXPECT_CODE(store().GetUserByUsername(app.id, "nobody"), StatusCode::kNotFound);
  EXPECT_CODE(store().UpdateUser(app.id, NewId(), [](User&) { return OkStatus(); }),
              StatusCode::kNotFound);
}

TEST_P(StoreConformanceTest, UserEmailClash) {
  App app = AddApp("default");
  AddUser(app, "ann@example.com", "ann");
  EXPECT_CLASH(store().CreateUser(MakeUser(app, "ANN@example.com", "other")),
               UserUniqueKey::kEmail);
  EXPECT_CODE(store().GetUserByUsername(app.id, "other"), StatusCode::kNotFound);
}

TEST_P(StoreConformanceTest, UserUsernameClash) {
  App app = AddApp("default");
  AddUser(app, "ann@example.com", "ann");
  EXPECT_CLASH(store().CreateUser(MakeUser(app, "other@example.com", "ANN")),
               UserUniqueKey::kUsername);
  EXPECT_CODE(store().GetUserByEmail(app.id, "other@example.com"), StatusCode::kNotFound);
}

TEST_P(StoreConformanceTest, UserIdClash) {
  App app = AddApp("default");
  User a = AddUser(app, "ann@example.com");
  User b = MakeUser(app, "bob@example.com");
  b.id = a.id;
  EXPECT_CLASH(store().CreateUser(b), UserUniqueKey::kId);
}

TEST_P(StoreConformanceTest, NullUsernamesDoNotClash) {
  App app = AddApp("default");
  User a = AddUser(app, "ann@example.com");
  User b = AddUser(app, "bob@example.com");
  EXPECT_OK(store().GetUser(app.id, a.id));
  EXPECT_OK(store().GetUser(app.id, b.id));
}

TEST_P(StoreConformanceTest, UsersArePerApp) {
  App a = AddApp("a");
  App b = AddApp("b");
  User ua = AddUser(a, "ann@example.com", "ann");

  EXPECT_CODE(store().GetUser(b.id, ua.id), StatusCode::kNotFound);
  EXPECT_CODE(store().GetUserByEmail(b.id, "ann@example.com"), StatusCode::kNotFound);
  EXPECT_CODE(store().GetUserByUsername(b.id, "ann"), StatusCode::kNotFound);
  bool called = false;
  EXPECT_CODE(store().UpdateUser(b.id, ua.id,
                                 [&](User& u) {
                                   called = true;
                                   u.disabled = true;
                                   return OkStatus();
                                 }),
              StatusCode::kNotFound);
  EXPECT_FALSE(called);
  // A login recorded through the wrong app changes nothing.
  (void)store().RecordLogin(b.id, ua.id, kT0 + kHour, std::string("$new$hash"));
  auto still = store().GetUser(a.id, ua.id);
  ASSERT_OK(still);
  ExpectSameUser(*still, ua);

  // The same email and username may exist in another app.
  User ub = AddUser(b, "ann@example.com", "ann");
  auto got_a = store().GetUserByEmail(a.id, "ann@example.com");
  auto got_b = store().GetUserByEmail(b.id, "ann@example.com");
  ASSERT_OK(got_a);
  ASSERT_OK(got_b);
  EXPECT_EQ(got_a->id, ua.id);
  EXPECT_EQ(got_b->id, ub.id);
  auto name_b = store().GetUserByUsername(b.id, "ann");
  ASSERT_OK(name_b);
  EXPECT_EQ(name_b->id, ub.id);
}

// ---------------------------------------------------------------------------------------
// Updates and logins

TEST_P(StoreConformanceTest, UpdateUserAppliesChanges) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com", "ann");

  User want = u;
  want.email = "Ann.New@Example.com";
  want.email_normalized = "ann.new@example.com";
  want.username = "Annie";
  want.username_normalized = "annie";
  want.password_hash = "$argon2id$new";
  want.email_verified = true;
  want.disabled = true;
  want.roles = {"admin"};
  want.profile_json = R"({"name":"Annie"})";
  want.updated_at = kT0 + kHour;
  want.last_login_at = kT0 + 2 * kHour;

  auto updated = store().UpdateUser(app.id, u.id, [&](User& cur) {
    ExpectSameUser(cur, u);  // sees the current row
    cur.email = want.email;
    cur.email_normalized = want.email_normalized;
    cur.username = want.username;
    cur.username_normalized = want.username_normalized;
    cur.password_hash = want.password_hash;
    cur.email_verified = want.email_verified;
    cur.disabled = want.disabled;
    cur.roles = want.roles;
    cur.profile_json = want.profile_json;
    cur.updated_at = want.updated_at;
    cur.last_login_at = want.last_login_at;
    return OkStatus();
  });
  ASSERT_OK(updated);
  ExpectSameUser(*updated, want);

  auto got = store().GetUser(app.id, u.id);
  ASSERT_OK(got);
  ExpectSameUser(*got, want);
  EXPECT_CODE(store().GetUserByEmail(app.id, "ann@example.com"), StatusCode::kNotFound);
  EXPECT_OK(store().GetUserByEmail(app.id, "ann.new@example.com"));
  EXPECT_CODE(store().GetUserByUsername(app.id, "ann"), StatusCode::kNotFound);
  EXPECT_OK(store().GetUserByUsername(app.id, "annie"));

  // Clearing the username stores NULL.
  auto cleared = store().UpdateUser(app.id, u.id, [](User& cur) {
    cur.username.reset();
    cur.username_normalized.reset();
    cur.password_hash.reset();
    return OkStatus();
  });
  ASSERT_OK(cleared);
  auto again = store().GetUser(app.id, u.id);
  ASSERT_OK(again);
  EXPECT_EQ(again->username, std::nullopt);
  EXPECT_EQ(again->username_normalized, std::nullopt);
  EXPECT_EQ(again->password_hash, std::nullopt);
}

TEST_P(StoreConformanceTest, UpdateUserRollsBackWhenMutateFails) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com", "ann");
  auto result = store().UpdateUser(app.id, u.id, [](User& cur) {
    cur.email = "changed@example.com";
    cur.email_normalized = "changed@example.com";
    cur.disabled = true;
    cur.roles.push_back("admin");
    return FailedPreconditionError("no");
  });
  EXPECT_CODE(result, StatusCode::kFailedPrecondition);
  EXPECT_EQ(result.status().message(), "no");  // returned unchanged
  auto got = store().GetUser(app.id, u.id);
  ASSERT_OK(got);
  ExpectSameUser(*got, u);
}

TEST_P(StoreConformanceTest, UpdateUserIntoClashingUsernameOrEmail) {
  App app = AddApp("default");
  User ann = AddUser(app, "ann@example.com", "ann");
  User bob = AddUser(app, "bob@example.com", "bob");
  EXPECT_CLASH(store().UpdateUser(app.id, bob.id,
                                  [](User& cur) {
                                    cur.username = "Ann";
                                    cur.username_normalized = "ann";
                                    return OkStatus();
                                  }),
               UserUniqueKey::kUsername);
  EXPECT_CLASH(store().UpdateUser(app.id, bob.id,
                                  [](User& cur) {
                                    cur.email_normalized = "ann@example.com";
                                    return OkStatus();
                                  }),
               UserUniqueKey::kEmail);
  auto got = store().GetUser(app.id, bob.id);
  ASSERT_OK(got);
  ExpectSameUser(*got, bob);
  auto still_ann = store().GetUserByUsername(app.id, "ann");
  ASSERT_OK(still_ann);
  EXPECT_EQ(still_ann->id, ann.id);
}

TEST_P(StoreConformanceTest, RecordLoginWithoutNewHash) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  ASSERT_OK(store().RecordLogin(app.id, u.id, kT0 + kHour, std::nullopt));
  auto got = store().GetUser(app.id, u.id);
  ASSERT_OK(got);
  User want = u;
  want.last_login_at = kT0 + kHour;
  ExpectSameUser(*got, want);
}

TEST_P(StoreConformanceTest, RecordLoginWithNewHash) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  ASSERT_OK(store().RecordLogin(app.id, u.id, kT0 + kHour, std::string("$argon2id$rehashed")));
  auto got = store().GetUser(app.id, u.id);
  ASSERT_OK(got);
  EXPECT_EQ(got->last_login_at, kT0 + kHour);
  EXPECT_EQ(got->password_hash, "$argon2id$rehashed");
  EXPECT_EQ(got->created_at, u.created_at);
  EXPECT_EQ(got->email, u.email);
}

}  // namespace
}  // namespace tessera::store::test
