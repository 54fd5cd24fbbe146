// grant_type=refresh_token (RefreshTokenGrant): rotation, replay revoking the family,
// narrowing the scope, and tokens that are not this client's or not live.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "tests/support/oauth_fixture.h"

namespace tessera::services {
namespace {

using namespace testing_oauth;
namespace json = boost::json;

class RefreshTokenGrantTest : public OAuthFixture {};

TEST_F(RefreshTokenGrantTest, RefreshRotatesAndReplayRevokesTheFamily) {
  store::User u = SignUp("ada@example.com");
  StartedBrowserSession b = SignIn(u);
  store::OAuthClient c = Confidential();
  GrantedTokens t = Grant(c, b.session, "openid offline_access");
  ASSERT_TRUE(t.refresh_token);

  auto r2 = Refresh(c, *t.refresh_token);
  ASSERT_TRUE(r2.ok()) << ErrorOf(r2);
  ASSERT_TRUE(r2->refresh_token);
  EXPECT_NE(*r2->refresh_token, *t.refresh_token);
  EXPECT_EQ(r2->scope, "openid offline_access");
  ASSERT_TRUE(r2->id_token);
  EXPECT_FALSE(Payload(*r2->id_token).contains("nonce"));
  EXPECT_EQ(Str(Payload(r2->access_token), "sid"), Str(Payload(t.access_token), "sid"));
  EXPECT_FALSE(Active(*t.refresh_token));  // rotated
  EXPECT_TRUE(Active(*r2->refresh_token));
  EXPECT_TRUE(Active(r2->access_token));

  auto r3 = Refresh(c, *r2->refresh_token);
  ASSERT_TRUE(r3.ok());

  uint64_t reuse_before = metrics_.refresh_reuse_detected.Value();
  EXPECT_EQ(ErrorOf(Refresh(c, *t.refresh_token)),
            "invalid_grant");
  EXPECT_EQ(metrics_.refresh_reuse_detected.Value(), reuse_before + 1);
  EXPECT_EQ(ErrorOf(Refresh(c, *r3->refresh_token)),
            "invalid_grant");
  EXPECT_FALSE(Active(*r3->refresh_token));
  EXPECT_FALSE(Active(r3->access_token));
  EXPECT_FALSE(Active(t.access_token));
}

TEST_F(RefreshTokenGrantTest, RefreshMayNarrowButNotWidenTheScope) {
  store::User u = SignUp("ada@example.com");
  StartedBrowserSession b = SignIn(u);
  store::OAuthClient c = Confidential();
  GrantedTokens t = Grant(c, b.session, "openid email offline_access");

  auto narrow = Refresh(c, *t.refresh_token, std::string("email"));
  ASSERT_TRUE(narrow.ok()) << ErrorOf(narrow);
  EXPECT_EQ(narrow->scope, "email");
  EXPECT_FALSE(narrow->id_token);  // no openid this time
  EXPECT_EQ(Str(Payload(narrow->access_token), "scope"), "email");
  EXPECT_EQ(oauth_tokens_->UserInfo(app_, narrow->access_token).status().code(),
            StatusCode::kPermissionDenied);

  // The grant itself is not narrowed: the next refresh may ask for all of it again.
  auto full = Refresh(c, *narrow->refresh_token);
  ASSERT_TRUE(full.ok());
  EXPECT_EQ(full->scope, "openid email offline_access");

  auto wide = Refresh(c, *full->refresh_token, std::string("openid profile"));
  EXPECT_EQ(ErrorOf(wide), "invalid_scope");
}

// A refused scope is the client's mistake, not theft: the token it presented was not
// replaced, so it must remain usable (and using it must not look like a replay).
TEST_F(RefreshTokenGrantTest, RefusedWideningDoesNotConsumeTheRefreshToken) {
  store::User u = SignUp("ada@example.com");
  StartedBrowserSession b = SignIn(u);
  store::OAuthClient c = Confidential();
  GrantedTokens t = Grant(c, b.session, "openid offline_access");

  EXPECT_EQ(ErrorOf(Refresh(c, *t.refresh_token, std::string("openid profile"))),
            "invalid_scope");
  EXPECT_TRUE(Active(*t.refresh_token));
  auto again = Refresh(c, *t.refresh_token);
  EXPECT_TRUE(again.ok()) << ErrorOf(again);
  EXPECT_TRUE(Active(t.access_token));
  EXPECT_EQ(metrics_.refresh_reuse_detected.Value(), 0u);
}

// ...but a scope must not let a replayed (rotated) token slip past reuse detection.
TEST_F(RefreshTokenGrantTest, ReplayWithAWiderScopeIsStillAReplay) {
  store::User u = SignUp("ada@example.com");
  StartedBrowserSession b = SignIn(u);
  store::OAuthClient c = Confidential();
  GrantedTokens t = Grant(c, b.session, "openid offline_access");
  auto r2 = Refresh(c, *t.refresh_token);
  ASSERT_TRUE(r2.ok());

  EXPECT_EQ(ErrorOf(Refresh(c, *t.refresh_token, std::string("openid profile"))),
            "invalid_grant");
  EXPECT_EQ(metrics_.refresh_reuse_detected.Value(), 1u);
  EXPECT_FALSE(Active(*r2->refresh_token));

  // An expired token with a wide scope is just invalid.
  GrantedTokens t2 = Grant(c, b.session, "openid offline_access");
  clock_.Advance(3601'000);
  EXPECT_EQ(ErrorOf(Refresh(c, *t2.refresh_token, std::string("openid profile"))),
            "invalid_grant");
}

TEST_F(RefreshTokenGrantTest, RefreshTokenOfAnotherClientIsRefusedAndNotConsumed) {
  store::User u = SignUp("ada@example.com");
  StartedBrowserSession b = SignIn(u);
  store::OAuthClient a = Confidential("A");
  store::OAuthClient other = Confidential("B");
  GrantedTokens t = Grant(a, b.session, "openid offline_access");

  EXPECT_EQ(ErrorOf(Refresh(other, *t.refresh_token)),
            "invalid_grant");
  auto r2 = Refresh(a, *t.refresh_token);
  ASSERT_TRUE(r2.ok()) << ErrorOf(r2);

  // Another client replaying A's rotated token does not get A's family revoked.
  EXPECT_EQ(ErrorOf(Refresh(other, *t.refresh_token)),
            "invalid_grant");
  EXPECT_EQ(metrics_.refresh_reuse_detected.Value(), 0u);
  EXPECT_TRUE(Refresh(a, *r2->refresh_token).ok());

  // Nor does an account-API refresh token work for a client (or the other way round).
  SignUp("bob@example.com");
  auto login = sessions_->Login(app_, "bob@example.com", kPassword, client_).value();
  EXPECT_EQ(ErrorOf(Refresh(a, login.refresh_token)),
            "invalid_grant");
  EXPECT_TRUE(sessions_->Refresh(app_, login.refresh_token, client_).ok());
}

TEST_F(RefreshTokenGrantTest, RefreshRejectsMalformedAndExpiredTokens) {
  store::User u = SignUp("ada@example.com");
  StartedBrowserSession b = SignIn(u);
  store::OAuthClient c = Confidential();
  EXPECT_EQ(ErrorOf(Refresh(c, "")),
            "invalid_request");
  EXPECT_EQ(ErrorOf(Refresh(c, "garbage")),
            "invalid_grant");
  EXPECT_EQ(ErrorOf(Refresh(c, "tsr_unknown")),
            "invalid_grant");

  GrantedTokens t = Grant(c, b.session, "openid offline_access");
  clock_.Advance(3601'000);  // refresh_token_ttl_s = 3600
  EXPECT_FALSE(Active(*t.refresh_token));
  EXPECT_EQ(ErrorOf(Refresh(c, *t.refresh_token)),
            "invalid_grant");
}

}  // namespace
}  // namespace tessera::services
