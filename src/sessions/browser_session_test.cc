// Hosted-page sign-in sessions (BrowserSessionService) against a real (SQLite) store and a
// manual clock. Lifetimes (oauth_fixture.h): 600 s idle, 1800 s absolute.
#include <gtest/gtest.h>

#include "tests/support/oauth_fixture.h"

namespace tessera::services {
namespace {

using namespace testing_oauth;

class BrowserSessionTest : public OAuthFixture {
 protected:
  StatusCode ResolveCode(std::string_view cookie) {
    return browser_->Resolve(app_, cookie).status().code();
  }
};

TEST_F(BrowserSessionTest, StartAndResolve) {
  store::User u = SignUp("ada@example.com");
  StartedBrowserSession b = SignIn(u);
  EXPECT_EQ(b.cookie_value.rfind("tbs_", 0), 0u);
  EXPECT_EQ(b.session.kind, store::SessionKind::kBrowser);
  EXPECT_EQ(b.session.auth_time, kStart);
  EXPECT_EQ(b.session.expires_at, kStart + 1800'000);

  auto s = browser_->Resolve(app_, b.cookie_value);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->id, b.session.id);
  EXPECT_EQ(s->user_id, u.id);
  EXPECT_EQ(s->kind, store::SessionKind::kBrowser);
  EXPECT_EQ(s->auth_time, kStart);

  // The store keeps only the cookie's hash; each sign-in gets a fresh one.
  StartedBrowserSession b2 = SignIn(u);
  EXPECT_NE(b2.cookie_value, b.cookie_value);
  EXPECT_NE(b2.session.id, b.session.id);
  EXPECT_EQ(browser_->Resolve(app_, b2.cookie_value).value().id, b2.session.id);

  // Listed among the user's sessions like any other.
  auto listed = sessions_->ListSessions(app_, u.id).value();
  EXPECT_EQ(listed.size(), 2u);

  // Another app does not know it.
  store::App other = apps_->Create("other", "Other").value();
  EXPECT_EQ(browser_->Resolve(other, b.cookie_value).status().code(), StatusCode::kNotFound);
}

TEST_F(BrowserSessionTest, IdleTimeoutEndsAnUnusedSession) {
  store::User u = SignUp("ada@example.com");
  StartedBrowserSession b = SignIn(u);
  clock_.Advance(599'000);
  StartedBrowserSession unused = SignIn(u);
  clock_.Advance(1'000);  // b: 600 s without use
  EXPECT_EQ(ResolveCode(b.cookie_value), StatusCode::kNotFound);
  EXPECT_TRUE(browser_->Resolve(app_, unused.cookie_value).ok());
  clock_.Advance(10 * 60'000);
  EXPECT_EQ(ResolveCode(b.cookie_value), StatusCode::kNotFound);  // it does not come back
}

TEST_F(BrowserSessionTest, UseSlidesTheIdleTimeout) {
  store::User u = SignUp("ada@example.com");
  StartedBrowserSession b = SignIn(u);
  for (int i = 0; i < 3; ++i) {
    clock_.Advance(500'000);
    auto s = browser_->Resolve(app_, b.cookie_value);
    ASSERT_TRUE(s.ok()) << "after " << (i + 1) * 500 << " s: " << s.status().ToString();
    EXPECT_EQ(s->last_used_at, clock_.NowMillis());
  }
  // 1500 s after sign-in, 0 s idle. Now stay away for 600 s.
  clock_.Advance(600'000);
  EXPECT_EQ(ResolveCode(b.cookie_value), StatusCode::kNotFound);
}

TEST_F(BrowserSessionTest, FrequentUseKeepsTheSessionAlive) {
  // Resolve writes at most once a minute; a session used every 30 s must still slide.
  store::User u = SignUp("ada@example.com");
  StartedBrowserSession b = SignIn(u);
  for (int i = 0; i < 40; ++i) {  // 1200 s, twice the idle timeout
    clock_.Advance(30'000);
    ASSERT_TRUE(browser_->Resolve(app_, b.cookie_value).ok()) << "after " << (i + 1) * 30 << " s";
  }
}

TEST_F(BrowserSessionTest, AbsoluteTimeoutEndsEvenABusySession) {
  store::User u = SignUp("ada@example.com");
  StartedBrowserSession b = SignIn(u);
  for (int i = 0; i < 3; ++i) {
    clock_.Advance(500'000);
    ASSERT_TRUE(browser_->Resolve(app_, b.cookie_value).ok());
  }
  clock_.Advance(299'000);  // 1799 s
  ASSERT_TRUE(browser_->Resolve(app_, b.cookie_value).ok());
  clock_.Advance(1'000);  // 1800 s
  EXPECT_EQ(ResolveCode(b.cookie_value), StatusCode::kNotFound);
}

TEST_F(BrowserSessionTest, EndSignsOut) {
  store::User u = SignUp("ada@example.com");
  StartedBrowserSession b = SignIn(u);
  StartedBrowserSession keep = SignIn(u);
  ASSERT_TRUE(browser_->End(app_, b.session, store::RevokeReason::kLogout).ok());
  EXPECT_EQ(ResolveCode(b.cookie_value), StatusCode::kNotFound);
  EXPECT_TRUE(browser_->End(app_, b.session, store::RevokeReason::kLogout).ok());  // again: fine
  EXPECT_TRUE(browser_->Resolve(app_, keep.cookie_value).ok());
  EXPECT_EQ(store_->GetSession(app_.id, b.session.id).value().revoked_reason,
            store::RevokeReason::kLogout);

  // Revocation from elsewhere (account page, password change) ends it too.
  ASSERT_TRUE(sessions_->LogoutAll(app_, u.id).ok());
  EXPECT_EQ(ResolveCode(keep.cookie_value), StatusCode::kNotFound);
}

TEST_F(BrowserSessionTest, MalformedOrUnknownCookiesAreNotFound) {
  store::User u = SignUp("ada@example.com");
  StartedBrowserSession b = SignIn(u);
  std::string random_part = b.cookie_value.substr(4);
  for (const std::string& cookie : std::vector<std::string>{std::string(), std::string("tbs_"), std::string("garbage"),
                             "tbs_" + std::string(200, 'a'), "tsr_" + random_part, random_part,
                             "TBS_" + random_part, b.cookie_value + "x",
                             b.cookie_value.substr(0, b.cookie_value.size() - 1),
                             " " + b.cookie_value}) {
    EXPECT_EQ(ResolveCode(cookie), StatusCode::kNotFound) << cookie;
  }
  EXPECT_TRUE(browser_->Resolve(app_, b.cookie_value).ok());

  // An OAuth or account-API session id or refresh token is no cookie either.
  auto login = sessions_->Login(app_, "ada@example.com", kPassword, client_).value();
  EXPECT_EQ(ResolveCode(login.refresh_token), StatusCode::kNotFound);
  EXPECT_EQ(ResolveCode(b.session.id), StatusCode::kNotFound);
}

}  // namespace
}  // namespace tessera::services
