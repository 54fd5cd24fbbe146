// UserStore conformance: listing (keyset pages, search) and counting an app's users.
// The fixture, the backends and the shared helpers: conformance_fixture.h.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "conformance_fixture.h"

namespace tessera::store::test {
namespace {

// A query built field by field (UserQuery's search and cursor have no default member
// initializers, so a designated initializer leaving them out warns).
UserQuery UsersOf(const std::string& app_id, const std::string& search = "",
                  const std::optional<std::string>& cursor = std::nullopt,
                  int limit = UserQuery{}.limit) {
  UserQuery q;
  q.app_id = app_id;
  q.search = search;
  q.cursor = cursor;
  q.limit = limit;
  return q;
}

std::vector<std::string> UserIds(const Result<UserPage>& page) {
  return page.ok() ? Ids(page->users) : std::vector<std::string>{};
}

TEST_P(StoreConformanceTest, ListUsersPagesNewestFirstWithTies) {
  App app = AddApp("default");
  App other = AddApp("other");
  // 7 users; three share a creation time, two share another (ties are ordered by id desc).
  const UnixMillis times[] = {kT0,           kT0 + kSecond,     kT0 + kSecond,
                              kT0 + kSecond, kT0 + 2 * kSecond, kT0 + 2 * kSecond,
                              kT0 + kHour};
  std::vector<User> users;
  for (int i = 0; i < 7; ++i) {
    User u = MakeUser(app, "user" + std::to_string(i) + "@example.com");
    u.created_at = times[i];
    ASSERT_OK(store().CreateUser(u));
    users.push_back(u);
  }
  AddUser(other, "stranger@example.com");  // never listed for `app`
  std::vector<User> want_order = users;
  std::sort(want_order.begin(), want_order.end(), [](const User& a, const User& b) {
    return a.created_at != b.created_at ? a.created_at > b.created_at : a.id > b.id;
  });
  std::vector<std::string> want = Ids(want_order);

  auto all = store().ListUsers(UsersOf(app.id));
  ASSERT_OK(all);
  EXPECT_EQ(UserIds(all), want);
  EXPECT_EQ(all->next_cursor, std::nullopt);  // fewer than the limit (50)
  ExpectSameUser(all->users[0], want_order[0]);

  // Pages of 4: a full page names its last user as the cursor.
  auto first = store().ListUsers(UsersOf(app.id, "", std::nullopt, 4));
  ASSERT_OK(first);
  EXPECT_EQ(UserIds(first), std::vector<std::string>(want.begin(), want.begin() + 4));
  ASSERT_TRUE(first->next_cursor.has_value());
  EXPECT_EQ(*first->next_cursor, want[3]);  // in the middle of the three-way tie
  auto second = store().ListUsers(UsersOf(app.id, "", first->next_cursor, 4));
  ASSERT_OK(second);
  EXPECT_EQ(UserIds(second), std::vector<std::string>(want.begin() + 4, want.end()));
  EXPECT_EQ(second->next_cursor, std::nullopt);  // 3 < 4: the last page

  // Pages of 1 walk every user; an exactly full last page still names a cursor, and the
  // page after it is empty.
  std::vector<std::string> walked;
  std::optional<std::string> cursor;
  for (int page = 0; page < 10; ++page) {
    auto r = store().ListUsers(UsersOf(app.id, "", cursor, 1));
    ASSERT_OK(r);
    for (const auto& u : r->users) walked.push_back(u.id);
    if (!r->next_cursor) {
      EXPECT_THAT(r->users, IsEmpty());
      break;
    }
    EXPECT_EQ(*r->next_cursor, r->users.back().id);
    cursor = r->next_cursor;
  }
  EXPECT_EQ(walked, want);
  auto seven = store().ListUsers(UsersOf(app.id, "", std::nullopt, 7));
  ASSERT_OK(seven);
  ASSERT_TRUE(seven->next_cursor.has_value());
  EXPECT_EQ(*seven->next_cursor, want.back());
  auto after_last = store().ListUsers(UsersOf(app.id, "", seven->next_cursor));
  ASSERT_OK(after_last);
  EXPECT_THAT(after_last->users, IsEmpty());
  EXPECT_EQ(after_last->next_cursor, std::nullopt);
}

TEST_P(StoreConformanceTest, ListUsersClampsTheLimit) {
  App app = AddApp("default");
  for (int i = 0; i < 205; ++i) {
    User u = MakeUser(app, "u" + std::to_string(i) + "@example.com");
    u.created_at = kT0 + i;
    ASSERT_OK(store().CreateUser(u));
  }
  auto zero = store().ListUsers(UsersOf(app.id, "", std::nullopt, 0));
  ASSERT_OK(zero);
  EXPECT_EQ(zero->users.size(), 1u);  // clamped to 1
  ASSERT_TRUE(zero->next_cursor.has_value());
  auto negative = store().ListUsers(UsersOf(app.id, "", std::nullopt, -5));
  ASSERT_OK(negative);
  EXPECT_EQ(negative->users.size(), 1u);
  auto huge = store().ListUsers(UsersOf(app.id, "", std::nullopt, 100000));
  ASSERT_OK(huge);
  EXPECT_EQ(huge->users.size(), 200u);  // clamped to 200
  ASSERT_TRUE(huge->next_cursor.has_value());
  EXPECT_EQ(*huge->next_cursor, huge->users.back().id);
  auto rest = store().ListUsers(UsersOf(app.id, "", huge->next_cursor, 200));
  ASSERT_OK(rest);
  EXPECT_EQ(rest->users.size(), 5u);
  EXPECT_EQ(rest->next_cursor, std::nullopt);
  EXPECT_EQ(rest->users.back().created_at, kT0);
}

TEST_P(StoreConformanceTest, ListUsersCursorOfAnotherAppOrUnknownIsEmpty) {
  App app = AddApp("default");
  App other = AddApp("other");
  User mine = AddUser(app, "ann@example.com");
  User theirs = MakeUser(other, "bob@example.com");
  theirs.created_at = kT0 + kDay;  // newer than every user of `app`
  ASSERT_OK(store().CreateUser(theirs));

  auto via_other = store().ListUsers(UsersOf(app.id, "", theirs.id));
  ASSERT_OK(via_other);
  EXPECT_THAT(via_other->users, IsEmpty());
  EXPECT_EQ(via_other->next_cursor, std::nullopt);
  auto unknown = store().ListUsers(UsersOf(app.id, "", NewId()));
  ASSERT_OK(unknown);
  EXPECT_THAT(unknown->users, IsEmpty());
  auto injected = store().ListUsers(UsersOf(app.id, "", "' OR 1=1 --"));
  ASSERT_OK(injected);
  EXPECT_THAT(injected->users, IsEmpty());
  // Each app lists only its own users.
  EXPECT_THAT(UserIds(store().ListUsers(UsersOf(app.id))), ElementsAre(mine.id));
  EXPECT_THAT(UserIds(store().ListUsers(UsersOf(other.id))), ElementsAre(theirs.id));
  EXPECT_THAT(UserIds(store().ListUsers(UsersOf(NewId()))), IsEmpty());
}

TEST_P(StoreConformanceTest, ListUsersSearchesEmailAndUsernameCaseInsensitively) {
  App app = AddApp("default");
  App other = AddApp("other");
  User ann = AddUser(app, "Ann.Smith@Example.com", "annie");
  User bob = AddUser(app, "bob@corp.example", "Bobby_Tables");
  User cy = AddUser(app, "cy@example.org");  // no username
  User pct = AddUser(app, "100%off@example.com", "back\\slash");
  User stranger = AddUser(other, "ann.other@example.com", "annie2");
  auto search = [&](const std::string& app_id, const std::string& s) {
    return UserIds(store().ListUsers(UsersOf(app_id, s)));
  };

  EXPECT_THAT(search(app.id, "SMITH"), ElementsAre(ann.id));  // email, any case
  EXPECT_THAT(search(app.id, "Annie"), ElementsAre(ann.id));  // username, not other app
  EXPECT_THAT(search(app.id, "bobby"), ElementsAre(bob.id));
  EXPECT_THAT(search(app.id, "corp"), ElementsAre(bob.id));
  EXPECT_THAT(search(app.id, "example.org"), ElementsAre(cy.id));
  EXPECT_THAT(search(app.id, "nobody"), IsEmpty());
  EXPECT_THAT(search(other.id, "annie"), ElementsAre(stranger.id));  // strictly per app
  EXPECT_THAT(search(app.id, "example"), UnorderedElementsAre(ann.id, bob.id, cy.id, pct.id));

  // LIKE metacharacters are literal: '%' and '_' match only themselves, '\' too.
  EXPECT_THAT(search(app.id, "%"), ElementsAre(pct.id));
  EXPECT_THAT(search(app.id, "100%"), ElementsAre(pct.id));
  EXPECT_THAT(search(app.id, "_"), ElementsAre(bob.id));  // only "bobby_tables" has one
  EXPECT_THAT(search(app.id, "y_t"), ElementsAre(bob.id));
  EXPECT_THAT(search(app.id, "n_e"), IsEmpty());  // would match "annie" as LIKE
  EXPECT_THAT(search(app.id, "\\"), ElementsAre(pct.id));
  EXPECT_THAT(search(app.id, "k\\s"), ElementsAre(pct.id));
  EXPECT_THAT(search(app.id, "\\%"), IsEmpty());
  // Quotes and SQL in the search are data.
  EXPECT_THAT(search(app.id, "' OR 1=1 --"), IsEmpty());
  EXPECT_THAT(search(app.id, "'); DROP TABLE users; --"), IsEmpty());
  EXPECT_THAT(search(app.id, "\" OR \"\"=\""), IsEmpty());
  auto count = store().CountUsers(app.id);
  ASSERT_OK(count);
  EXPECT_EQ(*count, 4);
}

TEST_P(StoreConformanceTest, ListUsersSearchPagesToo) {
  App app = AddApp("default");
  std::vector<std::string> want;  // the matching users (then: newest first)
  for (int i = 0; i < 9; ++i) {
    bool match = i % 3 != 0;
    User u = MakeUser(app, (match ? "match" : "other") + std::to_string(i) + "@example.com");
    u.created_at = kT0 + (i / 2) * kSecond;  // pairs of ties
    ASSERT_OK(store().CreateUser(u));
    if (match) want.push_back(u.id);
  }
  ASSERT_EQ(want.size(), 6u);
  {
    auto all = store().ListUsers(UsersOf(app.id, "MATCH"));
    ASSERT_OK(all);
    const std::vector<User>& got = all->users;
    EXPECT_THAT(UserIds(all),
                UnorderedElementsAre(want[0], want[1], want[2], want[3], want[4], want[5]));
    want = UserIds(all);
    for (size_t i = 1; i < got.size(); ++i) {
      const User& prev = got[i - 1];
      const User& cur = got[i];
      EXPECT_TRUE(prev.created_at > cur.created_at ||
                  (prev.created_at == cur.created_at && prev.id > cur.id))
          << i;
    }
  }
  std::vector<std::string> paged;
  std::optional<std::string> cursor;
  for (int page = 0; page < 10; ++page) {
    auto r = store().ListUsers(UsersOf(app.id, "match", cursor, 4));
    ASSERT_OK(r);
    for (const auto& u : r->users) paged.push_back(u.id);
    if (!r->next_cursor) break;
    cursor = r->next_cursor;
  }
  EXPECT_EQ(paged, want);
}

TEST_P(StoreConformanceTest, CountUsersPerApp) {
  App app = AddApp("default");
  App other = AddApp("other");
  auto zero = store().CountUsers(app.id);
  ASSERT_OK(zero);
  EXPECT_EQ(*zero, 0);
  User ann = AddUser(app, "ann@example.com");
  AddUser(app, "bob@example.com");
  AddUser(other, "cy@example.com");
  auto two = store().CountUsers(app.id);
  ASSERT_OK(two);
  EXPECT_EQ(*two, 2);
  auto one = store().CountUsers(other.id);
  ASSERT_OK(one);
  EXPECT_EQ(*one, 1);
  ASSERT_OK(store().DeleteUser(app.id, ann.id));
  auto after = store().CountUsers(app.id);
  ASSERT_OK(after);
  EXPECT_EQ(*after, 1);
  auto unknown = store().CountUsers(NewId());
  ASSERT_OK(unknown);
  EXPECT_EQ(*unknown, 0);
}

}  // namespace
}  // namespace tessera::store::test
