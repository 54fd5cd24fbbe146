// AppMemberStore conformance: who manages which app (the developer console).
// The fixture, the backends and the shared helpers: conformance_fixture.h.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "conformance_fixture.h"

namespace tessera::store::test {
namespace {

void ExpectSameMember(const AppMember& got, const AppMember& want) {
  using M = AppMember;
  ExpectSameFields(got, want, FIELD(M, app_id), FIELD(M, user_id), FIELD(M, role),
                   FIELD(M, created_at));
}

TEST_P(StoreConformanceTest, AddGetAndDuplicateAppMember) {
  App console = AddApp("console");
  App app = AddApp("default");
  User ann = AddUser(console, "ann@example.com");
  User bob = AddUser(console, "bob@example.com");
  AppMember owner = MakeMember(app, ann, MemberRole::kOwner, kAfter2038);
  ASSERT_OK(store().AddAppMember(owner));

  auto got = store().GetAppMember(app.id, ann.id);
  ASSERT_OK(got);
  ExpectSameMember(*got, owner);
  EXPECT_CODE(store().GetAppMember(app.id, bob.id), StatusCode::kNotFound);
  EXPECT_CODE(store().GetAppMember(console.id, ann.id), StatusCode::kNotFound);
  EXPECT_CODE(store().GetAppMember(app.id, NewId()), StatusCode::kNotFound);

  // A second membership of the same user in the same app clashes, whatever the role.
  EXPECT_CLASH(store().AddAppMember(MakeMember(app, ann, MemberRole::kMember, kT0)),
               AppMemberUniqueKey::kMembership);
  got = store().GetAppMember(app.id, ann.id);
  ASSERT_OK(got);
  ExpectSameMember(*got, owner);  // the first one is untouched
  // The same user in another app, or another user in this app, is fine.
  EXPECT_OK(store().AddAppMember(MakeMember(console, ann, MemberRole::kMember, kT0)));
  EXPECT_OK(store().AddAppMember(MakeMember(app, bob, MemberRole::kMember, kT0)));
}

TEST_P(StoreConformanceTest, ListAppMembersAndMembershipsOldestFirst) {
  App console = AddApp("console");
  App one = AddApp("one");
  App two = AddApp("two");
  User ann = AddUser(console, "ann@example.com");
  User bob = AddUser(console, "bob@example.com");
  User cy = AddUser(console, "cy@example.com");
  // bob and cy joined "one" in the same millisecond: ordered by user id.
  const UnixMillis tie = kT0 + kMinute;
  ASSERT_OK(store().AddAppMember(MakeMember(one, cy, MemberRole::kMember, tie)));
  ASSERT_OK(store().AddAppMember(MakeMember(one, ann, MemberRole::kOwner, kT0)));
  ASSERT_OK(store().AddAppMember(MakeMember(one, bob, MemberRole::kMember, tie)));
  ASSERT_OK(store().AddAppMember(MakeMember(two, ann, MemberRole::kMember, kT0 + kHour)));
  ASSERT_OK(store().AddAppMember(MakeMember(two, bob, MemberRole::kOwner, kT0 - kHour)));

  auto members = store().ListAppMembers(one.id);
  ASSERT_OK(members);
  std::string first_tied = std::min(bob.id, cy.id), second_tied = std::max(bob.id, cy.id);
  EXPECT_THAT(Pluck(*members, &AppMember::user_id), ElementsAre(ann.id, first_tied, second_tied));
  ExpectSameMember((*members)[0], MakeMember(one, ann, MemberRole::kOwner, kT0));
  auto members_two = store().ListAppMembers(two.id);
  ASSERT_OK(members_two);
  EXPECT_THAT(Pluck(*members_two, &AppMember::user_id), ElementsAre(bob.id, ann.id));
  auto none = store().ListAppMembers(console.id);
  ASSERT_OK(none);
  EXPECT_THAT(*none, IsEmpty());

  auto anns = store().ListMembershipsOfUser(ann.id);
  ASSERT_OK(anns);
  EXPECT_THAT(Pluck(*anns, &AppMember::app_id), ElementsAre(one.id, two.id));
  ExpectSameMember((*anns)[1], MakeMember(two, ann, MemberRole::kMember, kT0 + kHour));
  auto bobs = store().ListMembershipsOfUser(bob.id);
  ASSERT_OK(bobs);
  EXPECT_THAT(Pluck(*bobs, &AppMember::app_id), ElementsAre(two.id, one.id));
  auto nobody = store().ListMembershipsOfUser(NewId());
  ASSERT_OK(nobody);
  EXPECT_THAT(*nobody, IsEmpty());
}

TEST_P(StoreConformanceTest, SetRoleAndRemoveAppMember) {
  App console = AddApp("console");
  App app = AddApp("default");
  App other = AddApp("other");
  User ann = AddUser(console, "ann@example.com");
  User bob = AddUser(console, "bob@example.com");
  ASSERT_OK(store().AddAppMember(MakeMember(app, ann, MemberRole::kMember, kT0)));
  ASSERT_OK(store().AddAppMember(MakeMember(app, bob, MemberRole::kMember, kT0)));
  ASSERT_OK(store().AddAppMember(MakeMember(other, ann, MemberRole::kMember, kT0)));

  ASSERT_OK(store().SetAppMemberRole(app.id, ann.id, MemberRole::kOwner));
  auto got = store().GetAppMember(app.id, ann.id);
  ASSERT_OK(got);
  ExpectSameMember(*got, MakeMember(app, ann, MemberRole::kOwner, kT0));  // created_at kept
  auto bobs = store().GetAppMember(app.id, bob.id);
  ASSERT_OK(bobs);
  EXPECT_EQ(bobs->role, MemberRole::kMember);  // only that member
  auto elsewhere = store().GetAppMember(other.id, ann.id);
  ASSERT_OK(elsewhere);
  EXPECT_EQ(elsewhere->role, MemberRole::kMember);  // only that app
  EXPECT_CODE(store().SetAppMemberRole(console.id, ann.id, MemberRole::kOwner),
              StatusCode::kNotFound);
  EXPECT_CODE(store().SetAppMemberRole(app.id, NewId(), MemberRole::kOwner), StatusCode::kNotFound);

  // Ann is the app's only owner: she stays until another owner exists.
  EXPECT_CODE(store().RemoveAppMember(app.id, ann.id), StatusCode::kFailedPrecondition);
  ASSERT_OK(store().SetAppMemberRole(app.id, bob.id, MemberRole::kOwner));
  ASSERT_OK(store().RemoveAppMember(app.id, ann.id));
  EXPECT_CODE(store().GetAppMember(app.id, ann.id), StatusCode::kNotFound);
  EXPECT_CODE(store().RemoveAppMember(app.id, ann.id), StatusCode::kNotFound);  // not any more
  EXPECT_CODE(store().SetAppMemberRole(app.id, ann.id, MemberRole::kOwner), StatusCode::kNotFound);
  EXPECT_CODE(store().RemoveAppMember(console.id, bob.id), StatusCode::kNotFound);
  EXPECT_OK(store().GetAppMember(app.id, bob.id));
  EXPECT_OK(store().GetAppMember(other.id, ann.id));
  auto left = store().ListAppMembers(app.id);
  ASSERT_OK(left);
  EXPECT_THAT(Pluck(*left, &AppMember::user_id), ElementsAre(bob.id));
}

}  // namespace
}  // namespace tessera::store::test

namespace tessera::store::test {
namespace {

size_t OwnerCount(Store& store, const std::string& app_id) {
  auto members = store.ListAppMembers(app_id);
  EXPECT_TRUE(members.ok()) << members.status().ToString();
  if (!members.ok()) return 0;
  return std::count_if(members->begin(), members->end(),
                       [](const AppMember& m) { return m.role == MemberRole::kOwner; });
}

// Issue 11, item 12 (a): the app and its owner are stored together or not at all.
TEST_P(StoreConformanceTest, CreateAppWithOwnerIsAtomic) {
  App console = AddApp("console");
  User ann = AddUser(console, "ann@example.com");
  App app = MakeApp("owned");
  ASSERT_OK(store().CreateAppWithOwner(app, MakeMember(app, ann, MemberRole::kOwner, kT0)));
  auto got = store().GetAppBySlug("owned");
  ASSERT_OK(got);
  ExpectSameApp(*got, app);
  auto owner = store().GetAppMember(app.id, ann.id);
  ASSERT_OK(owner);
  EXPECT_EQ(owner->role, MemberRole::kOwner);

  // A taken slug: nothing stored, not even the membership.
  App again = MakeApp("owned");
  EXPECT_CLASH(store().CreateAppWithOwner(again, MakeMember(again, ann, MemberRole::kOwner, kT0)),
               AppUniqueKey::kSlug);
  EXPECT_CODE(store().GetAppById(again.id), StatusCode::kNotFound);
  // An owner who cannot be added (no such console user): the app is rolled back.
  App orphan = MakeApp("orphan");
  User ghost = MakeUser(console, "ghost@example.com");  // never stored
  EXPECT_FALSE(store().CreateAppWithOwner(orphan, MakeMember(orphan, ghost, MemberRole::kOwner, kT0)).ok());
  EXPECT_CODE(store().GetAppBySlug("orphan"), StatusCode::kNotFound);
}

// Issue 11, item 12 (b): the last-owner rule is the removal's own condition.
TEST_P(StoreConformanceTest, RemoveAppMemberKeepsTheLastOwner) {
  App console = AddApp("console");
  App app = AddApp("default");
  User ann = AddUser(console, "ann@example.com");
  User bob = AddUser(console, "bob@example.com");
  ASSERT_OK(store().AddAppMember(MakeMember(app, ann, MemberRole::kOwner, kT0)));
  ASSERT_OK(store().AddAppMember(MakeMember(app, bob, MemberRole::kMember, kT0)));
  EXPECT_CODE(store().RemoveAppMember(app.id, ann.id), StatusCode::kFailedPrecondition);
  EXPECT_OK(store().GetAppMember(app.id, ann.id));
  EXPECT_OK(store().RemoveAppMember(app.id, bob.id));  // a member may always go
  EXPECT_CODE(store().RemoveAppMember(NewId(), ann.id), StatusCode::kNotFound);
}

TEST_P(StoreConformanceTest, OwnersRemovedAtOnceLeaveOneOwner) {
  App console = AddApp("console");
  std::vector<User> owners;
  for (int i = 0; i < 4; ++i) {
    owners.push_back(AddUser(console, "owner" + std::to_string(i) + "@example.com"));
  }
  for (int round = 0; round < 10; ++round) {
    App app = AddApp("race-" + std::to_string(round));
    for (const User& o : owners) ASSERT_OK(store().AddAppMember(MakeMember(app, o, MemberRole::kOwner, kT0)));
    auto results = ConcurrentResults(static_cast<int>(owners.size()), [&](int i) {
      return store().RemoveAppMember(app.id, owners[i].id).code();
    });
    int removed = 0;
    for (const auto& r : results) {
      EXPECT_TRUE(*r == StatusCode::kOk || *r == StatusCode::kFailedPrecondition)
          << StatusCodeName(*r);
      removed += *r == StatusCode::kOk;
    }
    EXPECT_EQ(removed, static_cast<int>(owners.size()) - 1) << "round " << round;
    EXPECT_EQ(OwnerCount(store(), app.id), 1u) << "round " << round;
  }
}

}  // namespace
}  // namespace tessera::store::test
