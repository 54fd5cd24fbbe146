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
