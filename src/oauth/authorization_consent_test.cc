// After validation: when the user must sign in again or consent, the consent remembered
// and listed, and revoking a client's authorization (every grant it holds dies).
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "tests/support/oauth_fixture.h"

namespace tessera::services {
namespace {

using namespace testing_oauth;
namespace json = boost::json;

class AuthorizationConsentTest : public OAuthFixture {};

TEST_F(AuthorizationConsentTest, NeedsLoginForPromptLoginAndPastMaxAge) {
  store::User u = SignUp("ada@example.com");
  StartedBrowserSession b = SignIn(u);
  store::OAuthClient c = Confidential();

  EXPECT_FALSE(authz_->NeedsLogin(Valid(BaseParams(c)), b.session));

  Params login = BaseParams(c);
  login["prompt"] = "login";
  EXPECT_TRUE(authz_->NeedsLogin(Valid(login), b.session));

  Params aged = BaseParams(c);
  aged["max_age"] = "600";
  ValidAuthorization req = Valid(aged);
  clock_.Advance(599'000);
  store::Session live = browser_->Resolve(app_, b.cookie_value).value();
  EXPECT_FALSE(authz_->NeedsLogin(req, live));
  clock_.Advance(2'000);  // 601 s after sign-in; using the session does not reset auth_time
  live = browser_->Resolve(app_, b.cookie_value).value();
  EXPECT_TRUE(authz_->NeedsLogin(req, live));
  EXPECT_FALSE(authz_->NeedsLogin(Valid(BaseParams(c)), live));
}

TEST_F(AuthorizationConsentTest, NeedsConsentUntilEveryScopeWasGranted) {
  store::User u = SignUp("ada@example.com");
  store::OAuthClient first = Confidential("Own app", /*first_party=*/true);
  store::OAuthClient third = Confidential("Photos");

  EXPECT_FALSE(authz_->NeedsConsent(app_, u.id, Valid(BaseParams(first, "openid email"))).value());

  ValidAuthorization base = Valid(BaseParams(third, "openid profile"));
  EXPECT_TRUE(authz_->NeedsConsent(app_, u.id, base).value());
  ASSERT_TRUE(authz_->RecordConsent(app_, u.id, base).ok());
  EXPECT_FALSE(authz_->NeedsConsent(app_, u.id, base).value());
  EXPECT_FALSE(authz_->NeedsConsent(app_, u.id, Valid(BaseParams(third, "openid"))).value());

  ValidAuthorization more = Valid(BaseParams(third, "openid profile offline_access"));
  EXPECT_TRUE(authz_->NeedsConsent(app_, u.id, more).value());
  ASSERT_TRUE(authz_->RecordConsent(app_, u.id, more).ok());
  EXPECT_FALSE(authz_->NeedsConsent(app_, u.id, more).value());
  EXPECT_FALSE(authz_->NeedsConsent(app_, u.id, base).value());  // consent accumulates

  Params again = BaseParams(third, "openid");
  again["prompt"] = "consent";
  EXPECT_TRUE(authz_->NeedsConsent(app_, u.id, Valid(again)).value());

  // Consent is per user.
  store::User other = SignUp("bob@example.com");
  EXPECT_TRUE(authz_->NeedsConsent(app_, other.id, base).value());
}

TEST_F(AuthorizationConsentTest, ListAndRevokeAuthorizedApps) {
  store::User u = SignUp("ada@example.com");
  StartedBrowserSession b = SignIn(u);
  store::OAuthClient a = Confidential("Photos");
  store::OAuthClient c = Confidential("Calendar");

  ValidAuthorization ra = Valid(BaseParams(a, "openid offline_access"));
  ASSERT_TRUE(authz_->RecordConsent(app_, u.id, ra).ok());
  clock_.Advance(1'000);
  ValidAuthorization rc = Valid(BaseParams(c, "openid offline_access"));
  ASSERT_TRUE(authz_->RecordConsent(app_, u.id, rc).ok());
  GrantedTokens ta = Grant(a, b.session, "openid offline_access");
  GrantedTokens ta2 = Grant(a, b.session, "openid offline_access");  // a second grant of A
  GrantedTokens tc = Grant(c, b.session, "openid offline_access");

  auto listed = authz_->ListAuthorizedApps(app_, u.id).value();
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].client.client_id, c.client_id);  // newest first
  EXPECT_EQ(listed[1].client.client_id, a.client_id);
  EXPECT_EQ(listed[1].consent.scopes, (std::vector<std::string>{"openid", "offline_access"}));

  ASSERT_TRUE(authz_->RevokeAuthorization(app_, u.id, a.client_id).ok());
  listed = authz_->ListAuthorizedApps(app_, u.id).value();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].client.client_id, c.client_id);
  EXPECT_TRUE(authz_->NeedsConsent(app_, u.id, ra).value());

  // Every grant of A is dead; C's is untouched.
  EXPECT_FALSE(Active(ta.access_token));
  EXPECT_FALSE(Active(*ta.refresh_token));
  EXPECT_FALSE(Active(ta2.access_token));
  EXPECT_FALSE(Active(*ta2.refresh_token));
  EXPECT_EQ(oauth_tokens_->UserInfo(app_, ta.access_token).status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(ErrorOf(Refresh(a, *ta.refresh_token)),
            "invalid_grant");
  EXPECT_TRUE(Active(tc.access_token));
  EXPECT_TRUE(Active(*tc.refresh_token));
  // The browser session is not the client's: still signed in.
  EXPECT_TRUE(browser_->Resolve(app_, b.cookie_value).ok());

  EXPECT_EQ(authz_->RevokeAuthorization(app_, u.id, a.client_id).code(), StatusCode::kNotFound);
  EXPECT_EQ(authz_->RevokeAuthorization(app_, u.id, "nope").code(), StatusCode::kNotFound);
  // Another user cannot revoke this user's authorization of C.
  store::User other = SignUp("bob@example.com");
  EXPECT_EQ(authz_->RevokeAuthorization(app_, other.id, c.client_id).code(), StatusCode::kNotFound);
  EXPECT_TRUE(Active(tc.access_token));
}

}  // namespace
}  // namespace tessera::services
