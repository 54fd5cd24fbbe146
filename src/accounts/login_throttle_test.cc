// Failed-sign-in throttling (LoginThrottle) on its own and inside
// AccountService::Authenticate, against a real (SQLite) store and a manual clock.
// Limits (oauth_fixture.h): 3 failures per account, 5 per IP, in a 900 s window.
#include <gtest/gtest.h>

#include "tests/support/oauth_fixture.h"

namespace tessera::services {
namespace {

using namespace testing_oauth;

class LoginThrottleTest : public OAuthFixture {
 protected:
  void Fail(std::string_view identifier, std::string_view ip = "10.0.0.1") {
    throttle_->RecordFailure(app_, identifier, ip);
  }
  Status Check(std::string_view identifier, std::string_view ip = "10.0.0.1") {
    return throttle_->Check(app_, identifier, ip);
  }
};

TEST_F(LoginThrottleTest, AccountIsLimitedAfterMaxFailures) {
  Fail("ada@example.com");
  Fail("ada@example.com");
  EXPECT_TRUE(Check("ada@example.com").ok());
  Fail("ada@example.com");
  Status s = Check("ada@example.com");
  ASSERT_EQ(s.code(), StatusCode::kRateLimited);
  EXPECT_GT(s.retry_after_s(), 0);
  EXPECT_LE(s.retry_after_s(), 900);
  EXPECT_EQ(s.retry_after_s(), 900);  // the window started at the first failure, just now
  EXPECT_NE(s.message().find("15 minutes"), std::string::npos) << s.message();

  // Keyed by what was typed, case-insensitively, from any IP.
  EXPECT_EQ(Check("ADA@Example.COM").code(), StatusCode::kRateLimited);
  EXPECT_EQ(Check("ada@example.com", "10.9.9.9").code(), StatusCode::kRateLimited);
  EXPECT_EQ(Check("ada@example.com", "").code(), StatusCode::kRateLimited);
  // Another identifier is not affected (the IP has 3 of its 5).
  EXPECT_TRUE(Check("bob@example.com").ok());
  EXPECT_TRUE(Check("ada@example.org").ok());
  // Nor is the same identifier in another app.
  store::App other = apps_->Create("other", "Other").value();
  EXPECT_TRUE(throttle_->Check(other, "ada@example.com", "10.0.0.1").ok());
}

TEST_F(LoginThrottleTest, LimitLiftsWhenTheWindowEnds) {
  Fail("ada@example.com");
  clock_.Advance(100'000);
  Fail("ada@example.com");
  Fail("ada@example.com");
  clock_.Advance(500'000);  // 600 s after the first failure
  Status s = Check("ada@example.com");
  ASSERT_EQ(s.code(), StatusCode::kRateLimited);
  EXPECT_EQ(s.retry_after_s(), 300);
  EXPECT_NE(s.message().find("5 minutes"), std::string::npos) << s.message();
  clock_.Advance(299'000);
  s = Check("ada@example.com");
  ASSERT_EQ(s.code(), StatusCode::kRateLimited);
  EXPECT_EQ(s.retry_after_s(), 1);
  EXPECT_NE(s.message().find("1 minute."), std::string::npos) << s.message();
  clock_.Advance(1'000);  // the window is over
  EXPECT_TRUE(Check("ada@example.com").ok());

  // A new window starts with the next failure, counting from one.
  Fail("ada@example.com");
  Fail("ada@example.com");
  EXPECT_TRUE(Check("ada@example.com").ok());
  Fail("ada@example.com");
  EXPECT_EQ(Check("ada@example.com").code(), StatusCode::kRateLimited);
}

TEST_F(LoginThrottleTest, SuccessClearsTheAccountCounterOnly) {
  Fail("ada@example.com");
  Fail("ada@example.com");
  throttle_->RecordSuccess(app_, "Ada@example.com");
  Fail("ada@example.com");
  Fail("ada@example.com");
  EXPECT_TRUE(Check("ada@example.com").ok());  // 2, not 4
  Fail("ada@example.com");  // 5 failures from 10.0.0.1 now
  EXPECT_EQ(Check("ada@example.com", "10.0.0.2").code(), StatusCode::kRateLimited);

  // The IP counter survived the success: the IP is now over its limit too.
  throttle_->RecordSuccess(app_, "ada@example.com");
  EXPECT_TRUE(Check("ada@example.com", "10.0.0.2").ok());
  EXPECT_EQ(Check("ada@example.com", "10.0.0.1").code(), StatusCode::kRateLimited);
}

TEST_F(LoginThrottleTest, IpLimitIsIndependentOfAccounts) {
  for (int i = 0; i < 4; ++i) Fail("user" + std::to_string(i) + "@example.com", "10.0.0.7");
  EXPECT_TRUE(Check("someone@example.com", "10.0.0.7").ok());
  Fail("user4@example.com", "10.0.0.7");
  Status s = Check("someone@example.com", "10.0.0.7");
  ASSERT_EQ(s.code(), StatusCode::kRateLimited);  // never failed as this account
  EXPECT_GT(s.retry_after_s(), 0);
  EXPECT_TRUE(Check("someone@example.com", "10.0.0.8").ok());  // another IP
  EXPECT_TRUE(Check("someone@example.com", "").ok());          // no IP known
  // Each of those accounts has only one failure.
  EXPECT_TRUE(Check("user0@example.com", "10.0.0.8").ok());
  clock_.Advance(900'000);
  EXPECT_TRUE(Check("someone@example.com", "10.0.0.7").ok());
}

TEST_F(LoginThrottleTest, AuthenticateRefusesEvenTheRightPasswordOnceLimited) {
  store::User u = SignUp("ada@example.com");
  ClientInfo from{"10.1.1.1", "test"};
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(accounts_->Authenticate(app_, "ada@example.com", "wrong passphrase", from)
                  .status()
                  .code(),
              StatusCode::kUnauthenticated);
  }
  auto right = accounts_->Authenticate(app_, "ada@example.com", kPassword, from);
  ASSERT_EQ(right.status().code(), StatusCode::kRateLimited);
  EXPECT_GT(right.status().retry_after_s(), 0);
  // Login goes through the same gate.
  EXPECT_EQ(sessions_->Login(app_, "ada@example.com", kPassword, from).status().code(),
            StatusCode::kRateLimited);
  // A refused attempt is not counted as a failure (it never reached the password).
  EXPECT_EQ(metrics_.logins_failed.Value(), 3u);

  clock_.Advance(900'000);
  auto later = accounts_->Authenticate(app_, "ada@example.com", kPassword, from);
  ASSERT_TRUE(later.ok()) << later.status().ToString();
  EXPECT_EQ(later->id, u.id);
}

TEST_F(LoginThrottleTest, UnknownAccountIsThrottledIdentically) {
  SignUp("ada@example.com");
  ClientInfo from1{"10.1.1.1", "test"};
  ClientInfo from2{"10.2.2.2", "test"};
  for (int i = 0; i < 3; ++i) {
    auto real = accounts_->Authenticate(app_, "ada@example.com", "wrong passphrase", from1);
    auto ghost = accounts_->Authenticate(app_, "ghost@example.com", "wrong passphrase", from2);
    EXPECT_EQ(real.status().code(), ghost.status().code());
    EXPECT_EQ(real.status().message(), ghost.status().message());
  }
  auto real = accounts_->Authenticate(app_, "ada@example.com", kPassword, from1);
  auto ghost = accounts_->Authenticate(app_, "ghost@example.com", kPassword, from2);
  EXPECT_EQ(real.status().code(), StatusCode::kRateLimited);
  EXPECT_EQ(ghost.status().code(), StatusCode::kRateLimited);
  EXPECT_EQ(real.status().message(), ghost.status().message());
  EXPECT_EQ(real.status().retry_after_s(), ghost.status().retry_after_s());
}

TEST_F(LoginThrottleTest, SuccessfulSignInResetsTheAccountBudget) {
  SignUp("ada@example.com");
  ClientInfo from{"10.1.1.1", "test"};
  for (int i = 0; i < 2; ++i) {
    EXPECT_FALSE(accounts_->Authenticate(app_, "ada@example.com", "wrong passphrase", from).ok());
  }
  ASSERT_TRUE(accounts_->Authenticate(app_, "ada@example.com", kPassword, from).ok());
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(accounts_->Authenticate(app_, "ada@example.com", "wrong passphrase", from)
                  .status()
                  .code(),
              StatusCode::kUnauthenticated);
  }
  EXPECT_TRUE(accounts_->Authenticate(app_, "ada@example.com", kPassword, from).ok());
}

// Issue 11, item 2: the password that confirms a change spends the account's sign-in budget,
// so a stolen access token cannot guess it without limit; the sign-in shares the count.
TEST_F(LoginThrottleTest, CurrentPasswordChecksShareTheAccountBudget) {
  store::User u = SignUp("ada@example.com");
  ClientInfo from{"10.1.1.1", "test"};
  for (int i = 0; i < 3; ++i) {
    Status wrong = accounts_->ChangePassword(app_, u.id, "wrong passphrase",
                                             "a brand new passphrase", "", from).status();
    ASSERT_EQ(wrong.code(), StatusCode::kInvalidArgument) << wrong.ToString();
    EXPECT_EQ(wrong.field_errors().at(0).field, "current_password");
  }
  Status spent =
      accounts_->ChangePassword(app_, u.id, kPassword, "a brand new passphrase", "", from).status();
  ASSERT_EQ(spent.code(), StatusCode::kRateLimited) << spent.ToString();
  EXPECT_GT(spent.retry_after_s(), 0);
  EXPECT_EQ(spent.field_errors().at(0).field, "current_password");
  EXPECT_EQ(accounts_->ConfirmCurrentPassword(app_, u, kPassword, from).code(),
            StatusCode::kRateLimited);
  // The sign-in is refused too: one budget per account, whatever asks for the password.
  EXPECT_EQ(accounts_->Authenticate(app_, "ada@example.com", kPassword, {"10.9.9.9", "t"})
                .status()
                .code(),
            StatusCode::kRateLimited);
  clock_.Advance(900'000);
  EXPECT_TRUE(
      accounts_->ChangePassword(app_, u.id, kPassword, "a brand new passphrase", "", from).ok());
}

}  // namespace
}  // namespace tessera::services
