// AppInvitationStore conformance (issue 11, item 7): invitations to an app's membership.
// The cap on pending invitations and the single use of an acceptance are conditional writes,
// checked with concurrent calls on both engines. The fixture: conformance_fixture.h.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "conformance_fixture.h"

namespace tessera::store::test {
namespace {

constexpr int64_t kWeek = 7LL * 24 * 3600 * 1000;

AppInvitation MakeInvitation(const App& app, const User& by, std::string email,
                             MemberRole role = MemberRole::kMember, UnixMillis at = kT0) {
  return AppInvitation{NewId(), app.id, std::move(email), role, "h-" + NewId(), by.id, at,
                       at + kWeek};
}

void ExpectSameInvitation(const AppInvitation& got, const AppInvitation& want) {
  using I = AppInvitation;
  ExpectSameFields(got, want, FIELD(I, id), FIELD(I, app_id), FIELD(I, email), FIELD(I, role),
                   FIELD(I, token_hash), FIELD(I, invited_by), FIELD(I, created_at),
                   FIELD(I, expires_at));
}

TEST_P(StoreConformanceTest, CreateGetListAndDeleteAppInvitations) {
  App console = AddApp("console");
  App app = AddApp("default");
  App other = AddApp("other");
  User ann = AddUser(console, "ann@example.com");
  AppInvitation bob = MakeInvitation(app, ann, "bob@example.com", MemberRole::kOwner);
  ASSERT_OK(store().CreateAppInvitation(bob, 50, kT0));
  auto got = store().GetAppInvitation(bob.id);
  ASSERT_OK(got);
  ExpectSameInvitation(*got, bob);
  auto by_hash = store().GetAppInvitationByTokenHash(bob.token_hash);
  ASSERT_OK(by_hash);
  ExpectSameInvitation(*by_hash, bob);
  EXPECT_CODE(store().GetAppInvitation(NewId()), StatusCode::kNotFound);
  EXPECT_CODE(store().GetAppInvitationByTokenHash("h-none"), StatusCode::kNotFound);

  // One live invitation per (app, address); the same address may be invited elsewhere.
  EXPECT_CLASH(store().CreateAppInvitation(MakeInvitation(app, ann, "bob@example.com"), 50, kT0),
               AppInvitationUniqueKey::kAddress);
  AppInvitation elsewhere = MakeInvitation(other, ann, "bob@example.com", MemberRole::kMember, kT0 + 1);
  ASSERT_OK(store().CreateAppInvitation(elsewhere, 50, kT0));
  AppInvitation same_hash = MakeInvitation(app, ann, "carol@example.com");
  same_hash.token_hash = bob.token_hash;
  EXPECT_CLASH(store().CreateAppInvitation(same_hash, 50, kT0), AppInvitationUniqueKey::kTokenHash);
  EXPECT_CODE(store().CreateAppInvitation(MakeInvitation(App{NewId()}, ann, "x@example.com"), 50, kT0),
              StatusCode::kNotFound);

  auto of_app = store().ListAppInvitations(app.id, kT0);
  ASSERT_OK(of_app);
  ASSERT_EQ(of_app->size(), 1u);
  EXPECT_EQ((*of_app)[0].id, bob.id);
  auto of_bob = store().ListAppInvitationsForEmail("bob@example.com", kT0);
  ASSERT_OK(of_bob);
  ASSERT_EQ(of_bob->size(), 2u);
  EXPECT_EQ((*of_bob)[0].id, bob.id);  // oldest first
  EXPECT_EQ((*of_bob)[1].id, elsewhere.id);
  // Expired ones are not listed.
  EXPECT_THAT(store().ListAppInvitations(app.id, bob.expires_at).value(), ::testing::IsEmpty());

  EXPECT_CODE(store().DeleteAppInvitation(other.id, bob.id), StatusCode::kNotFound);  // not its app
  ASSERT_OK(store().DeleteAppInvitation(app.id, bob.id));
  EXPECT_CODE(store().GetAppInvitation(bob.id), StatusCode::kNotFound);
  EXPECT_CODE(store().DeleteAppInvitation(app.id, bob.id), StatusCode::kNotFound);
}

TEST_P(StoreConformanceTest, AppInvitationCapCountsLiveOnesAndExpiredOnesMakeRoom) {
  App console = AddApp("console");
  App app = AddApp("default");
  User ann = AddUser(console, "ann@example.com");
  AppInvitation first = MakeInvitation(app, ann, "a@example.com");
  ASSERT_OK(store().CreateAppInvitation(first, 2, kT0));
  ASSERT_OK(store().CreateAppInvitation(MakeInvitation(app, ann, "b@example.com"), 2, kT0));
  EXPECT_CODE(store().CreateAppInvitation(MakeInvitation(app, ann, "c@example.com"), 2, kT0),
              StatusCode::kResourceExhausted);
  // Once they expired, they are deleted and the address may be invited again.
  const UnixMillis later = first.expires_at;
  ASSERT_OK(store().CreateAppInvitation(MakeInvitation(app, ann, "a@example.com", MemberRole::kMember, later), 2, later));
  EXPECT_CODE(store().GetAppInvitation(first.id), StatusCode::kNotFound);
}

TEST_P(StoreConformanceTest, ConcurrentInvitationsStayUnderTheCap) {
  App console = AddApp("console");
  App app = AddApp("default");
  User ann = AddUser(console, "ann@example.com");
  auto results = ConcurrentResults(8, [&](int i) {
    return store()
        .CreateAppInvitation(MakeInvitation(app, ann, "p" + std::to_string(i) + "@example.com"), 3, kT0)
        .code();
  });
  int created = 0;
  for (const auto& r : results) created += *r == StatusCode::kOk;
  EXPECT_EQ(created, 3);
  EXPECT_EQ(store().ListAppInvitations(app.id, kT0).value().size(), 3u);
}

TEST_P(StoreConformanceTest, AcceptAppInvitationIsSingleUseAndAddsTheMember) {
  App console = AddApp("console");
  App app = AddApp("default");
  User ann = AddUser(console, "ann@example.com");
  User bob = AddUser(console, "bob@example.com");
  AppInvitation inv = MakeInvitation(app, ann, "bob@example.com", MemberRole::kOwner);
  ASSERT_OK(store().CreateAppInvitation(inv, 50, kT0));
  // Expired: nothing happens.
  EXPECT_CODE(store().AcceptAppInvitation(inv.id, MakeMember(app, bob, MemberRole::kOwner, kT0), inv.expires_at),
              StatusCode::kNotFound);
  EXPECT_CODE(store().GetAppMember(app.id, bob.id), StatusCode::kNotFound);

  auto results = ConcurrentResults(4, [&](int) {
    return store().AcceptAppInvitation(inv.id, MakeMember(app, bob, MemberRole::kOwner, kT0), kT0).code();
  });
  int accepted = 0;
  for (const auto& r : results) {
    EXPECT_TRUE(*r == StatusCode::kOk || *r == StatusCode::kNotFound) << StatusCodeName(*r);
    accepted += *r == StatusCode::kOk;
  }
  EXPECT_EQ(accepted, 1);
  EXPECT_EQ(store().GetAppMember(app.id, bob.id).value().role, MemberRole::kOwner);
  EXPECT_CODE(store().GetAppInvitation(inv.id), StatusCode::kNotFound);

  // Already a member: the membership clashes and the invitation is kept (rolled back).
  AppInvitation again = MakeInvitation(app, ann, "bob@example.com");
  ASSERT_OK(store().CreateAppInvitation(again, 50, kT0));
  EXPECT_CLASH(store().AcceptAppInvitation(again.id, MakeMember(app, bob, MemberRole::kMember, kT0), kT0),
               AppMemberUniqueKey::kMembership);
  EXPECT_OK(store().GetAppInvitation(again.id));
}

// Demoting the last owner is refused like removing them (SetAppMemberRole).
TEST_P(StoreConformanceTest, SetAppMemberRoleKeepsTheLastOwner) {
  App console = AddApp("console");
  App app = AddApp("default");
  User ann = AddUser(console, "ann@example.com");
  User bob = AddUser(console, "bob@example.com");
  ASSERT_OK(store().AddAppMember(MakeMember(app, ann, MemberRole::kOwner, kT0)));
  EXPECT_CODE(store().SetAppMemberRole(app.id, ann.id, MemberRole::kMember),
              StatusCode::kFailedPrecondition);
  ASSERT_OK(store().AddAppMember(MakeMember(app, bob, MemberRole::kOwner, kT0)));
  EXPECT_OK(store().SetAppMemberRole(app.id, ann.id, MemberRole::kMember));
  EXPECT_CODE(store().SetAppMemberRole(app.id, bob.id, MemberRole::kMember),
              StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace tessera::store::test
