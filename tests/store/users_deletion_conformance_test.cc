// UserStore conformance: deleting a user takes everything of theirs, and nothing else.
// The fixture, the backends and the shared helpers: conformance_fixture.h.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "conformance_fixture.h"

namespace tessera::store::test {
namespace {

TEST_P(StoreConformanceTest, DeleteUserTakesEverythingOfTheirs) {
  App app = AddApp("default");
  App other = AddApp("other");
  User ann = AddUser(app, "ann@example.com");
  User bob = AddUser(app, "bob@example.com");

  // Everything of ann's, and the same kinds of things of bob's (which must survive).
  Session ann_session = AddSession(ann, "rt-ann");
  Session bob_session = AddSession(bob, "rt-bob");
  Session ann_browser = MakeBrowserSession(ann, kT0, kT0 + kDay);
  ASSERT_OK(store().CreateBrowserSession(ann_browser, "cookie-ann"));
  ASSERT_OK(store().CreateApiToken(MakeApiToken(ann, "api-ann", kT0)));
  ASSERT_OK(store().CreateApiToken(MakeApiToken(bob, "api-bob", kT0)));
  ASSERT_OK(store().SaveConsent(MakeConsent(ann, "client-1", kT0)));
  ASSERT_OK(store().SaveConsent(MakeConsent(bob, "client-1", kT0)));
  ASSERT_OK(store().CreateAuthorizationCode(MakeCode(ann, "code-ann", kT0, kT0 + kMinute)));
  ASSERT_OK(store().CreateAuthorizationCode(MakeCode(bob, "code-bob", kT0, kT0 + kMinute)));
  EmailToken ann_mail =
      MakeEmailToken(app, "mail-ann", EmailTokenPurpose::kVerifyEmail, kT0, kT0 + kHour);
  ann_mail.user_id = ann.id;
  ASSERT_OK(store().CreateEmailToken(ann_mail));
  EmailToken bob_mail =
      MakeEmailToken(app, "mail-bob", EmailTokenPurpose::kVerifyEmail, kT0, kT0 + kHour);
  bob_mail.user_id = bob.id;
  bob_mail.email = "bob@example.com";
  ASSERT_OK(store().CreateEmailToken(bob_mail));
  ASSERT_OK(store().AddAppMember(MakeMember(other, ann, MemberRole::kOwner, kT0)));
  ASSERT_OK(store().AddAppMember(MakeMember(other, bob, MemberRole::kMember, kT0)));

  ASSERT_OK(store().DeleteUser(app.id, ann.id));

  EXPECT_CODE(store().GetUser(app.id, ann.id), StatusCode::kNotFound);
  EXPECT_CODE(store().GetUserByEmail(app.id, "ann@example.com"), StatusCode::kNotFound);
  EXPECT_CODE(store().GetSession(app.id, ann_session.id), StatusCode::kNotFound);
  EXPECT_CODE(store().GetSession(app.id, ann_browser.id), StatusCode::kNotFound);
  EXPECT_CODE(store().GetBrowserSession(app.id, "cookie-ann", kT0, kHour), StatusCode::kNotFound);
  EXPECT_CODE(store().GetRefreshToken(app.id, "rt-ann"), StatusCode::kNotFound);
  EXPECT_FALSE(TokenExists("rt-ann"));
  EXPECT_CODE(store().GetApiTokenByHash("api-ann"), StatusCode::kNotFound);
  EXPECT_CODE(store().GetConsent(app.id, ann.id, "client-1"), StatusCode::kNotFound);
  EXPECT_OUTCOME(store().RedeemAuthorizationCode(app.id, "code-ann", kT0), CodeOutcome::kInvalid);
  EXPECT_CODE(store().GetEmailToken(app.id, "mail-ann", EmailTokenPurpose::kVerifyEmail),
              StatusCode::kNotFound);
  EXPECT_CODE(store().GetAppMember(other.id, ann.id), StatusCode::kNotFound);
  auto memberships = store().ListMembershipsOfUser(ann.id);
  ASSERT_OK(memberships);
  EXPECT_THAT(*memberships, IsEmpty());

  // bob keeps everything.
  EXPECT_OK(store().GetUser(app.id, bob.id));
  auto bobs = store().GetSession(app.id, bob_session.id);
  ASSERT_OK(bobs);
  ExpectSameSession(*bobs, bob_session);
  EXPECT_OK(store().GetRefreshToken(app.id, "rt-bob"));
  EXPECT_OK(store().GetApiTokenByHash("api-bob"));
  EXPECT_OK(store().GetConsent(app.id, bob.id, "client-1"));
  EXPECT_OK(store().GetEmailToken(app.id, "mail-bob", EmailTokenPurpose::kVerifyEmail));
  EXPECT_OK(store().GetAppMember(other.id, bob.id));
  EXPECT_OUTCOME(store().RedeemAuthorizationCode(app.id, "code-bob", kT0), CodeOutcome::kConsumed);

  // Gone is gone.
  EXPECT_CODE(store().DeleteUser(app.id, ann.id), StatusCode::kNotFound);
}

TEST_P(StoreConformanceTest, DeleteUserOnlyWithinItsApp) {
  App app = AddApp("default");
  App other = AddApp("other");
  User theirs = AddUser(other, "ann@example.com");
  Session s = AddSession(theirs, "rt-theirs");
  ASSERT_OK(store().CreateApiToken(MakeApiToken(theirs, "api-theirs", kT0)));

  EXPECT_CODE(store().DeleteUser(app.id, theirs.id), StatusCode::kNotFound);
  EXPECT_CODE(store().DeleteUser(app.id, NewId()), StatusCode::kNotFound);
  EXPECT_CODE(store().DeleteUser(NewId(), theirs.id), StatusCode::kNotFound);
  EXPECT_CODE(store().DeleteUser(app.id, "' OR 1=1 --"), StatusCode::kNotFound);
  auto still = store().GetUser(other.id, theirs.id);
  ASSERT_OK(still);
  ExpectSameUser(*still, theirs);
  EXPECT_OK(store().GetSession(other.id, s.id));
  EXPECT_OK(store().GetApiTokenByHash("api-theirs"));
  auto count = store().CountUsers(other.id);
  ASSERT_OK(count);
  EXPECT_EQ(*count, 1);
}

}  // namespace
}  // namespace tessera::store::test
