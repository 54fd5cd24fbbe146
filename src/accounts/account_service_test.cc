// Account rules against a real (SQLite) store and a manual clock: what the HTTP tests
// cannot reach quickly — expiry, reuse after expiry, shedding, races.
#include "accounts/account_service.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <future>

#include "tests/support/service_stack.h"
#include "crypto/random.h"
#include "tokens/authenticator.h"

namespace tessera::services {
namespace {

constexpr int64_t kStart = 1'800'000'000'000;

class AccountServiceTest : public testing::Test, protected testing_support::ServiceStack {
 protected:
  void SetUp() override {
    Build();
  }


  store::User SignUp(std::string email, std::string password = "a sturdy passphrase") {
    SignupInput in;
    in.email = std::move(email);
    in.password = std::move(password);
    return accounts_->Signup(app_, std::move(in)).value();
  }

  ClientInfo client_{"127.0.0.1", "test"};
};

TEST_F(AccountServiceTest, SignupCollectsEveryFieldError) {
  SignupInput in;
  in.email = "not-an-email";
  in.password = "short";
  in.username = "x";
  in.profile = boost::json::object{{"website", "javascript:alert(1)"}, {"shoe_size", "42"}};
  auto r = accounts_->Signup(app_, std::move(in));
  ASSERT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  std::set<std::string> fields;
  for (const auto& e : r.status().field_errors()) fields.insert(e.field);
  EXPECT_EQ(fields, (std::set<std::string>{"email", "password", "username", "profile.website",
                                           "profile.shoe_size"}));
}

TEST_F(AccountServiceTest, DuplicateEmailIsCaseInsensitive) {
  SignUp("Grace@Example.com");
  SignupInput in{"grace@EXAMPLE.com", "another sturdy one", std::nullopt, {}, false, {}};
  auto r = accounts_->Signup(app_, std::move(in));
  ASSERT_EQ(r.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(r.status().field_errors().at(0).field, "email");
}

TEST_F(AccountServiceTest, LoginFailuresAreIndistinguishable) {
  SignUp("lin@example.com");
  auto wrong = sessions_->Login(app_, "lin@example.com", "not the passphrase", client_);
  auto unknown = sessions_->Login(app_, "nobody@example.com", "not the passphrase", client_);
  auto weird = sessions_->Login(app_, "@@@", "x", client_);
  for (const auto* r : {&wrong, &unknown, &weird}) {
    EXPECT_EQ(r->status().code(), StatusCode::kUnauthenticated);
    EXPECT_EQ(r->status().message(), "invalid credentials");
  }
  EXPECT_EQ(metrics_.logins_failed.Value(), 3u);
}

TEST_F(AccountServiceTest, DisabledUserCannotLoginOrRefresh) {
  store::User u = SignUp("dis@example.com");
  auto grant = sessions_->Login(app_, "dis@example.com", "a sturdy passphrase", client_).value();
  ASSERT_TRUE(store_->UpdateUser(app_.id, u.id, [](store::User& x) {
                       x.disabled = true;
                       return OkStatus();
                     }).ok());
  EXPECT_EQ(sessions_->Login(app_, "dis@example.com", "a sturdy passphrase", client_).status().message(),
            "invalid credentials");
  EXPECT_EQ(sessions_->Refresh(app_, grant.refresh_token, client_).status().code(),
            StatusCode::kUnauthenticated);
  EXPECT_EQ(auth_->Authenticate(app_, "Bearer " + grant.access_token).status().code(),
            StatusCode::kUnauthenticated);
}

TEST_F(AccountServiceTest, RefreshRotatesAndReuseRevokesTheFamily) {
  SignUp("rot@example.com");
  auto g1 = sessions_->Login(app_, "rot@example.com", "a sturdy passphrase", client_).value();
  auto g2 = sessions_->Refresh(app_, g1.refresh_token, client_).value();
  EXPECT_NE(g2.refresh_token, g1.refresh_token);
  auto g3 = sessions_->Refresh(app_, g2.refresh_token, client_).value();
  // Replaying g1 (already rotated) is theft: the session dies, so g3's token dies too.
  EXPECT_EQ(sessions_->Refresh(app_, g1.refresh_token, client_).status().code(),
            StatusCode::kUnauthenticated);
  EXPECT_EQ(metrics_.refresh_reuse_detected.Value(), 1u);
  EXPECT_EQ(sessions_->Refresh(app_, g3.refresh_token, client_).status().code(),
            StatusCode::kUnauthenticated);
}

TEST_F(AccountServiceTest, RefreshTokenExpiresAndSessionHasAbsoluteLifetime) {
  SignUp("exp@example.com");
  auto g = sessions_->Login(app_, "exp@example.com", "a sturdy passphrase", client_).value();
  clock_.Advance(3599'000);
  g = sessions_->Refresh(app_, g.refresh_token, client_).value();  // sliding: renewed
  clock_.Advance(3599'000);
  g = sessions_->Refresh(app_, g.refresh_token, client_).value();
  clock_.Advance(3'000);  // now past the 7200 s absolute session lifetime
  EXPECT_EQ(sessions_->Refresh(app_, g.refresh_token, client_).status().code(),
            StatusCode::kUnauthenticated);
}

TEST_F(AccountServiceTest, ConcurrentRefreshOfOneTokenHasOneWinner) {
  SignUp("race@example.com");
  auto g = sessions_->Login(app_, "race@example.com", "a sturdy passphrase", client_).value();
  std::vector<std::future<bool>> results;
  for (int i = 0; i < 6; ++i) {
    results.push_back(std::async(std::launch::async, [&] {
      return sessions_->Refresh(app_, g.refresh_token, client_).ok();
    }));
  }
  int winners = 0;
  for (auto& f : results) winners += f.get();
  EXPECT_EQ(winners, 1);
}

TEST_F(AccountServiceTest, RefreshTokenOfAnotherAppIsNotConsumed) {
  SignUp("iso@example.com");
  auto g = sessions_->Login(app_, "iso@example.com", "a sturdy passphrase", client_).value();
  store::App other = apps_->Create("other", "Other").value();
  EXPECT_EQ(sessions_->Refresh(other, g.refresh_token, client_).status().code(),
            StatusCode::kUnauthenticated);
  EXPECT_TRUE(sessions_->Refresh(app_, g.refresh_token, client_).ok());  // still live at home
  EXPECT_EQ(auth_->Authenticate(other, "Bearer " + g.access_token).status().code(),
            StatusCode::kUnauthenticated);
}

TEST_F(AccountServiceTest, PasswordChangeRevokesOtherSessionsOnly) {
  store::User u = SignUp("pw@example.com");
  auto here = sessions_->Login(app_, "pw@example.com", "a sturdy passphrase", client_).value();
  auto there = sessions_->Login(app_, "pw@example.com", "a sturdy passphrase", client_).value();
  auto p = auth_->Authenticate(app_, "Bearer " + here.access_token).value();
  auto wrong = accounts_->ChangePassword(app_, u.id, "nope", "a new sturdy passphrase", p.session_id, client_);
  EXPECT_EQ(wrong.status().field_errors().at(0).field, "current_password");
  ASSERT_TRUE(accounts_->ChangePassword(app_, u.id, "a sturdy passphrase",
                                        "a new sturdy passphrase", p.session_id, client_)
                  .ok());
  EXPECT_TRUE(sessions_->Refresh(app_, here.refresh_token, client_).ok());
  EXPECT_FALSE(sessions_->Refresh(app_, there.refresh_token, client_).ok());
  EXPECT_FALSE(sessions_->Login(app_, "pw@example.com", "a sturdy passphrase", client_).ok());
  EXPECT_TRUE(sessions_->Login(app_, "pw@example.com", "a new sturdy passphrase", client_).ok());
}

// Issue 11, item 3: personal API tokens end with the user's other access.
TEST_F(AccountServiceTest, PasswordChangeRevokesApiTokensUnlessAskedToKeepThem) {
  store::User u = SignUp("pat@example.com");
  auto first = api_tokens_->Create(app_, u.id, "ci", std::nullopt).value();
  auto changed = accounts_->ChangePassword(app_, u.id, "a sturdy passphrase",
                                           "a new sturdy passphrase", "", client_);
  ASSERT_TRUE(changed.ok()) << changed.status().ToString();
  EXPECT_EQ(changed->api_tokens, 1);
  EXPECT_EQ(api_tokens_->Authenticate(app_, first.token).status().code(),
            StatusCode::kUnauthenticated);

  auto second = api_tokens_->Create(app_, u.id, "laptop", std::nullopt).value();
  changed = accounts_->ChangePassword(app_, u.id, "a new sturdy passphrase",
                                      "a third sturdy passphrase", "", client_,
                                      /*keep_api_tokens=*/true);
  ASSERT_TRUE(changed.ok()) << changed.status().ToString();
  EXPECT_EQ(changed->api_tokens, 0);
  EXPECT_TRUE(api_tokens_->Authenticate(app_, second.token).ok());
}

TEST_F(AccountServiceTest, PasswordResetRevokesEverySessionAndApiToken) {
  store::User u = SignUp("reset@example.com");
  auto g = sessions_->Login(app_, "reset@example.com", "a sturdy passphrase", client_).value();
  auto token = api_tokens_->Create(app_, u.id, "ci", std::nullopt).value();
  ASSERT_TRUE(accounts_->ResetPassword(app_, u.id, "a new sturdy passphrase").ok());
  EXPECT_FALSE(sessions_->Refresh(app_, g.refresh_token, client_).ok());
  EXPECT_EQ(api_tokens_->Authenticate(app_, token.token).status().code(),
            StatusCode::kUnauthenticated);
}

TEST_F(AccountServiceTest, LogoutAllRevokesApiTokensUnlessAskedToKeepThem) {
  store::User u = SignUp("all@example.com");
  auto g1 = sessions_->Login(app_, "all@example.com", "a sturdy passphrase", client_).value();
  auto g2 = sessions_->Login(app_, "all@example.com", "a sturdy passphrase", client_).value();
  auto kept = api_tokens_->Create(app_, u.id, "kept", std::nullopt).value();
  auto ended = sessions_->LogoutAll(app_, u.id, /*keep_api_tokens=*/true);
  ASSERT_TRUE(ended.ok()) << ended.status().ToString();
  EXPECT_EQ(ended->sessions, 2);
  EXPECT_EQ(ended->api_tokens, 0);
  EXPECT_TRUE(api_tokens_->Authenticate(app_, kept.token).ok());
  EXPECT_FALSE(sessions_->Refresh(app_, g1.refresh_token, client_).ok());
  EXPECT_FALSE(sessions_->Refresh(app_, g2.refresh_token, client_).ok());

  auto other = api_tokens_->Create(app_, u.id, "other", std::nullopt).value();
  ended = sessions_->LogoutAll(app_, u.id);
  ASSERT_TRUE(ended.ok()) << ended.status().ToString();
  EXPECT_EQ(ended->sessions, 0);
  EXPECT_EQ(ended->api_tokens, 2);
  for (const auto& t : {kept.token, other.token}) {
    EXPECT_EQ(api_tokens_->Authenticate(app_, t).status().code(), StatusCode::kUnauthenticated);
  }
  // A principal presenting a revoked token is refused, whatever it calls.
  EXPECT_EQ(auth_->Authenticate(app_, "Token " + other.token).status().code(),
            StatusCode::kUnauthenticated);
}

TEST_F(AccountServiceTest, ImportedDjangoHashIsUpgradedToArgon2idAtLogin) {
  store::User u = SignUp("dj@example.com");
  ASSERT_TRUE(store_->UpdateUser(app_.id, u.id, [](store::User& x) {
                       x.password_hash =
                           "pbkdf2_sha256$1000$seasalt123$KuEnssc6S4MzVSS8Tu48m1RDSrTAn7j3CfgvvjkvfWA=";
                       return OkStatus();
                     }).ok());
  ASSERT_TRUE(sessions_->Login(app_, "dj@example.com", "correct horse", client_).ok());
  auto after = store_->GetUser(app_.id, u.id).value();
  EXPECT_EQ(after.password_hash->rfind("$argon2id$", 0), 0u);
  EXPECT_TRUE(sessions_->Login(app_, "dj@example.com", "correct horse", client_).ok());
}

TEST_F(AccountServiceTest, ApiTokensAuthenticateUntilRevokedOrExpired) {
  store::User u = SignUp("tok@example.com");
  auto t = api_tokens_->Create(app_, u.id, "ci", 1).value();
  EXPECT_EQ(t.token.rfind("tpat_", 0), 0u);
  EXPECT_EQ(auth_->Authenticate(app_, "Token " + t.token).value().user.id, u.id);
  EXPECT_EQ(auth_->Authenticate(app_, "bearer " + t.token).value().user.id, u.id);
  clock_.Advance(24LL * 3600 * 1000 + 1);
  EXPECT_EQ(auth_->Authenticate(app_, "Token " + t.token).status().code(),
            StatusCode::kUnauthenticated);
  auto t2 = api_tokens_->Create(app_, u.id, "ci2", std::nullopt).value();
  ASSERT_TRUE(api_tokens_->Revoke(app_, u.id, t2.record.id).ok());
  EXPECT_EQ(auth_->Authenticate(app_, "Token " + t2.token).status().code(),
            StatusCode::kUnauthenticated);
  EXPECT_EQ(api_tokens_->Revoke(app_, u.id, t2.record.id).code(), StatusCode::kNotFound);
}

TEST_F(AccountServiceTest, AuthenticatorRejectsMalformedHeaders) {
  for (std::string h : {"", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Token eyJ.a.b",
                        "Bearer tpat_unknown", "Bearer a.b.c"}) {
    EXPECT_EQ(auth_->Authenticate(app_, h).status().code(), StatusCode::kUnauthenticated) << h;
  }
}

TEST(PasswordHasherTest, ShedsWhenTheQueueIsFull) {
  Metrics metrics;
  PasswordHasher hasher({crypto::Argon2Params{3, 32 * 1024 * 1024}, 1, 0}, metrics);
  std::vector<std::future<StatusCode>> calls;
  for (int i = 0; i < 4; ++i) {
    calls.push_back(std::async(std::launch::async, [&] {
      return hasher.Hash("some password").status().code();
    }));
  }
  int shed = 0, ok = 0;
  for (auto& c : calls) {
    StatusCode code = c.get();
    shed += code == StatusCode::kResourceExhausted;
    ok += code == StatusCode::kOk;
  }
  EXPECT_GE(ok, 1);
  EXPECT_GE(shed, 1);
  EXPECT_EQ(metrics.password_hash_shed.Value(), static_cast<uint64_t>(shed));
}

}  // namespace
}  // namespace tessera::services
