// Second factors as services: enrolment (a factor counts only after a valid first code), the
// second step of a sign-in (TOTP, recovery codes, single use, throttling, races), the account
// API's mfa_token, the app's policy, recent sign-in for removal, the admin reset, and the
// mails and audit events every change leaves.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "crypto/encoding.h"
#include "mfa/factor_service.h"
#include "mfa/mfa_sign_in.h"
#include "mfa/recovery_codes.h"
#include "mfa/totp.h"
#include "tests/support/service_stack.h"

namespace tessera::services {
namespace {

constexpr auto kSignIn = store::MfaChallengeKind::kSignIn;
constexpr auto kApi = store::MfaChallengeKind::kApiLogin;
const std::string kPassword = "correct horse battery staple";

class MfaSignInTest : public ::testing::Test, protected testing_support::ServiceStack {
 protected:
  void SetUp() override {
    Build({.throttle = LoginThrottleOptions{900, 5, 1000}, .audit = true});
    master_key_ = crypto::RandomBytes(32);
    MailFlowContext mail{*store_, *apps_, *email_tokens_, *mail_limiter_, *mailer_, clock_,
                         audit_.get()};
    factors_ = std::make_unique<FactorService>(*store_, master_key_, clock_, mail, audit_.get());
    mfa_ = std::make_unique<MfaSignIn>(*store_, *accounts_, *sessions_, *factors_, master_key_,
                                       clock_, throttle_.get(), mail, audit_.get());
    user_ = NewUser("ann@example.com");
  }

  store::User NewUser(const std::string& email) {
    SignupInput in;
    in.email = email;
    in.password = kPassword;
    return accounts_->Signup(app_, in).value();
  }

  // The current code of a TOTP factor, read the way an authenticator app would: from the
  // enrolment's secret.
  std::string CodeNow(const std::string& secret_base32, int64_t step_offset = 0) {
    std::string secret = secrets_.at(secret_base32);
    return TotpCode(secret, TotpStepAt(clock_.NowMillis()) + step_offset);
  }

  // Enrols an authenticator app for `user`; answers the enrolment (secret in secrets_).
  TotpEnrolment Enrol(const store::User& user, std::vector<std::string>* codes = nullptr) {
    TotpEnrolment e = factors_->BeginTotp(app_, user, "Acme").value();
    secrets_[e.secret_base32] = SecretOf(e);
    auto done = factors_->ConfirmTotp(app_, user, e.factor.id, CodeNow(e.secret_base32), "Phone");
    EXPECT_TRUE(done.ok()) << done.status().ToString();
    if (codes && done.ok()) *codes = done->recovery_codes;
    clock_.Advance(30'000);  // the first code's step is spent: the next sign-in uses the next
    return e;
  }

  // The raw secret, from the otpauth URI's base32 (as an authenticator app reads it).
  static std::string SecretOf(const TotpEnrolment& e) {
    static constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    std::string out;
    uint32_t buffer = 0;
    int bits = 0;
    for (char c : e.secret_base32) {
      buffer = (buffer << 5) | static_cast<uint32_t>(kAlphabet.find(c));
      bits += 5;
      if (bits >= 8) {
        out.push_back(static_cast<char>((buffer >> (bits - 8)) & 0xff));
        bits -= 8;
      }
    }
    return out;
  }

  std::string Begin(const store::User& user, store::MfaChallengeKind kind = kSignIn) {
    return mfa_->Begin(app_, user, kind, {"pwd", "", "/apps/default/account"},
                       SecondStep::kVerify)
        .value();
  }

  // `racers` sign-ins of user_, each completed at once with the same code on its own
  // thread; answers how many got in.
  int Race(int racers, const std::string& method, const std::string& code) {
    std::vector<std::string> tokens;
    for (int i = 0; i < racers; ++i) tokens.push_back(Begin(user_));
    std::atomic<int> ok{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < racers; ++i) {
      threads.emplace_back([&, i] {
        if (mfa_->Complete(app_, tokens[i], kSignIn, method, code, {}).ok()) ++ok;
      });
    }
    for (auto& t : threads) t.join();
    return ok.load();
  }

  std::vector<std::string> MailKinds() {
    std::vector<std::string> kinds;
    for (const auto& m : store_->LeaseDueMail(clock_.NowMillis(), 100, 60'000).value()) {
      kinds.push_back(m.kind);
    }
    return kinds;
  }

  int64_t Events(store::AuditAction action) {
    store::AuditFilter f;
    f.app_id = app_.id;
    f.action = std::string(ToText(action));
    return static_cast<int64_t>(audit_->List(f).value().size());
  }

  std::string master_key_;
  std::unique_ptr<FactorService> factors_;
  std::unique_ptr<MfaSignIn> mfa_;
  store::User user_;
  std::map<std::string, std::string> secrets_;
};

TEST_F(MfaSignInTest, AFactorCountsOnlyAfterAValidFirstCode) {
  TotpEnrolment e = factors_->BeginTotp(app_, user_, "Acme").value();
  secrets_[e.secret_base32] = SecretOf(e);
  EXPECT_EQ(e.otpauth_uri.rfind("otpauth://totp/Acme:ann%40example.com?secret=", 0), 0u);
  EXPECT_NE(e.qr_svg.find("<svg"), std::string::npos);
  EXPECT_FALSE(factors_->HasFactors(app_, user_.id).value());
  EXPECT_EQ(mfa_->StepAfter(app_, user_).value(), SecondStep::kNone);
  // The secret is sealed at rest: the row holds no base32 or raw secret, only base64 text
  // (any engine's text column takes it).
  store::Factor row = store_->GetFactor(app_.id, user_.id, e.factor.id).value();
  EXPECT_TRUE(crypto::Base64Decode(row.secret_sealed).has_value()) << row.secret_sealed;
  EXPECT_EQ(row.secret_sealed.find(e.secret_base32), std::string::npos);
  EXPECT_EQ(row.secret_sealed.find(SecretOf(e)), std::string::npos);

  auto wrong = factors_->ConfirmTotp(app_, user_, e.factor.id, "000000", "");
  EXPECT_EQ(wrong.status().code(), StatusCode::kInvalidArgument);
  auto done = factors_->ConfirmTotp(app_, user_, e.factor.id, CodeNow(e.secret_base32), "");
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ(done->recovery_codes.size(), 10u);  // the first factor brings recovery codes
  EXPECT_EQ(done->factor.name, "Authenticator app");
  EXPECT_TRUE(factors_->HasFactors(app_, user_.id).value());
  EXPECT_EQ(mfa_->StepAfter(app_, user_).value(), SecondStep::kVerify);
  // Confirmed once: the same enrolment cannot be confirmed again.
  EXPECT_TRUE(factors_->ConfirmTotp(app_, user_, e.factor.id, CodeNow(e.secret_base32), "")
                  .status()
                  .IsNotFound());
  EXPECT_EQ(MailKinds(), std::vector<std::string>{"security_notice"});
  EXPECT_EQ(Events(store::AuditAction::kMfaFactorEnrolled), 2);  // a failure, then the success
}

TEST_F(MfaSignInTest, TotpCompletesASignInOnceAndTheSameCodeNeverAgain) {
  TotpEnrolment e = Enrol(user_);
  std::string token = Begin(user_);
  EXPECT_EQ(token.rfind("tmf_", 0), 0u);
  auto pending = mfa_->Pending(app_, token, kSignIn).value();
  EXPECT_EQ(pending.methods, (std::vector<std::string>{"totp", "recovery_code"}));
  const std::string code = CodeNow(e.secret_base32);
  auto done = mfa_->Complete(app_, token, kSignIn, "totp", code, {"10.0.0.1", "test"});
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ(done->amr, "pwd otp mfa");
  EXPECT_EQ(done->first.return_to, "/apps/default/account");
  EXPECT_EQ(done->user.id, user_.id);
  // The challenge is spent, and so is the code's time step, for any other challenge.
  EXPECT_TRUE(mfa_->Complete(app_, token, kSignIn, "totp", code, {}).status().IsNotFound());
  std::string again = Begin(user_);
  EXPECT_EQ(mfa_->Complete(app_, again, kSignIn, "totp", code, {}).status().code(),
            StatusCode::kUnauthenticated);
  // The next step's code works.
  clock_.Advance(30'000);
  EXPECT_TRUE(mfa_->Complete(app_, again, kSignIn, "totp", CodeNow(e.secret_base32), {}).ok());
  EXPECT_EQ(Events(store::AuditAction::kMfaVerified), 2);
  EXPECT_EQ(Events(store::AuditAction::kMfaFailed), 1);
}

TEST_F(MfaSignInTest, ConcurrentUsesOfOneCodeLetExactlyOneIn) {
  TotpEnrolment e = Enrol(user_);
  EXPECT_EQ(Race(6, "totp", CodeNow(e.secret_base32)), 1);
}

TEST_F(MfaSignInTest, RecoveryCodesWorkOnceEachEvenUnderRacesAndMailTheUser) {
  std::vector<std::string> codes;
  Enrol(user_, &codes);
  ASSERT_EQ(codes.size(), 10u);
  (void)MailKinds();  // the enrolment's notice
  // 4 racers: the losers count as wrong guesses; stay under the limit of 5.
  EXPECT_EQ(Race(4, "recovery_code", codes[0]), 1);
  EXPECT_EQ(factors_->RecoveryCodesLeft(app_, user_.id).value(), 9);
  // Typed in upper case with spaces, another code still works; the amr says two factors.
  std::string typed;
  for (char c : codes[1]) typed.push_back(c == '-' ? ' ' : static_cast<char>(std::toupper(c)));
  auto done = mfa_->Complete(app_, Begin(user_), kSignIn, "recovery_code", typed, {});
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ(done->amr, "pwd mfa");
  EXPECT_EQ(MailKinds(), (std::vector<std::string>{"security_notice", "security_notice"}));
  EXPECT_EQ(Events(store::AuditAction::kMfaRecoveryCodeUsed), 2);
}

TEST_F(MfaSignInTest, WrongCodesAreThrottledPerUser) {
  TotpEnrolment e = Enrol(user_);
  std::string token = Begin(user_);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(mfa_->Complete(app_, token, kSignIn, "totp", "000000", {"10.0.0.9", ""}).status().code(),
              StatusCode::kUnauthenticated);
  }
  // Over the limit: even the right code waits (the guesser learns nothing).
  Status limited =
      mfa_->Complete(app_, token, kSignIn, "totp", CodeNow(e.secret_base32), {"10.0.0.9", ""})
          .status();
  EXPECT_EQ(limited.code(), StatusCode::kRateLimited);
  EXPECT_GT(limited.retry_after_s(), 0);
  // Another user is not held back.
  store::User bob = NewUser("bob@example.com");
  TotpEnrolment be = Enrol(bob);
  EXPECT_TRUE(mfa_->Complete(app_, Begin(bob), kSignIn, "totp", CodeNow(be.secret_base32), {}).ok());
}

TEST_F(MfaSignInTest, ChallengesAreBoundToTheirKindAppAndLifetime) {
  TotpEnrolment e = Enrol(user_);
  std::string web = Begin(user_, kSignIn);
  std::string api = Begin(user_, kApi);
  EXPECT_EQ(api.rfind("tmfa_", 0), 0u);
  EXPECT_TRUE(mfa_->Pending(app_, web, kApi).status().IsNotFound());
  EXPECT_TRUE(mfa_->Pending(app_, api, kSignIn).status().IsNotFound());
  EXPECT_TRUE(mfa_->Pending(console_app_, web, kSignIn).status().IsNotFound());
  EXPECT_TRUE(mfa_->Pending(app_, "tmf_forged", kSignIn).status().IsNotFound());
  EXPECT_TRUE(mfa_->Pending(app_, std::string(5000, 'x'), kSignIn).status().IsNotFound());
  clock_.Advance(kMfaChallengeTtlMs + 1);
  EXPECT_TRUE(
      mfa_->Complete(app_, web, kSignIn, "totp", CodeNow(e.secret_base32), {}).status().IsNotFound());
  // A disabled account's pending sign-in goes nowhere.
  std::string fresh = Begin(user_);
  ASSERT_TRUE(store_->UpdateUser(app_.id, user_.id, [](store::User& u) {
                      u.disabled = true;
                      return OkStatus();
                    }).ok());
  EXPECT_TRUE(mfa_->Pending(app_, fresh, kSignIn).status().IsNotFound());
}

TEST_F(MfaSignInTest, TheApiAnswersAnMfaTokenAndThenTokens) {
  store::User plain = NewUser("plain@example.com");
  auto direct = mfa_->ApiLogin(app_, "plain@example.com", kPassword, {});
  ASSERT_TRUE(direct.ok()) << direct.status().ToString();
  EXPECT_TRUE(direct->grant.has_value());
  EXPECT_FALSE(direct->mfa.has_value());

  TotpEnrolment e = Enrol(user_);
  auto first = mfa_->ApiLogin(app_, "ann@example.com", kPassword, {});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_TRUE(first->mfa.has_value());
  EXPECT_FALSE(first->grant.has_value());
  EXPECT_FALSE(first->mfa->enrol);
  EXPECT_EQ(first->mfa->methods, (std::vector<std::string>{"totp", "recovery_code"}));
  auto done = mfa_->Complete(app_, first->mfa->mfa_token, kApi, "totp", CodeNow(e.secret_base32), {});
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  auto grant = mfa_->ApiTokens(app_, *done, {});
  ASSERT_TRUE(grant.ok()) << grant.status().ToString();
  EXPECT_FALSE(grant->access_token.empty());
  // The session remembers how the user signed in.
  auto sessions = sessions_->ListSessions(app_, user_.id).value();
  ASSERT_EQ(sessions.size(), 1u);
  EXPECT_EQ(sessions[0].amr, "pwd otp mfa");
  // A wrong password never reaches the second step.
  EXPECT_EQ(mfa_->ApiLogin(app_, "ann@example.com", "wrong password!", {}).status().code(),
            StatusCode::kUnauthenticated);
}

TEST_F(MfaSignInTest, AnAppThatRequiresMfaMakesUsersEnrolFirst) {
  store::App strict = app_;
  strict.settings.mfa = store::MfaPolicy::kRequired;
  EXPECT_EQ(mfa_->StepAfter(strict, user_).value(), SecondStep::kEnrol);
  // A client's acr_values asks the same of an optional app.
  EXPECT_EQ(mfa_->StepAfter(app_, user_, /*demanded=*/true).value(), SecondStep::kEnrol);
  auto first = mfa_->ApiLogin(strict, "ann@example.com", kPassword, {});
  ASSERT_TRUE(first.ok() && first->mfa);
  EXPECT_TRUE(first->mfa->enrol);
  const std::string& token = first->mfa->mfa_token;
  // Without an enrolment, no code completes it.
  EXPECT_FALSE(mfa_->Complete(strict, token, kApi, "totp", "123456", {}).ok());
  TotpEnrolment e = mfa_->BeginEnrolment(strict, token, kApi, "Acme").value();
  secrets_[e.secret_base32] = SecretOf(e);
  auto done = mfa_->CompleteEnrolment(strict, token, kApi, e.factor.id, CodeNow(e.secret_base32), {});
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ(done->recovery_codes.size(), 10u);
  EXPECT_EQ(done->amr, "pwd otp mfa");
  EXPECT_TRUE(mfa_->Pending(strict, token, kApi).status().IsNotFound());  // spent
  // An app that offers no authenticator apps cannot make anyone enrol one.
  store::App none = strict;
  none.settings.mfa_totp = false;
  store::User bob = NewUser("bob@example.com");
  EXPECT_EQ(mfa_->StepAfter(none, bob).value(), SecondStep::kNone);
  EXPECT_EQ(factors_->BeginTotp(none, bob, "Acme").status().code(), StatusCode::kPermissionDenied);
  // "off" stops enrolments but never skips a factor a user has.
  store::App off = app_;
  off.settings.mfa = store::MfaPolicy::kOff;
  EXPECT_EQ(factors_->BeginTotp(off, bob, "Acme").status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(mfa_->StepAfter(off, user_).value(), SecondStep::kVerify);
}

TEST_F(MfaSignInTest, RemovingAFactorNeedsARecentSignInAndTakesTheCodesWithTheLast) {
  TotpEnrolment e = Enrol(user_);
  UnixMillis signed_in = clock_.NowMillis();
  clock_.Advance(kRecentSignInMs + 1);
  EXPECT_EQ(factors_->Remove(app_, user_, e.factor.id, signed_in).code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(factors_->RegenerateRecoveryCodes(app_, user_, signed_in).status().code(),
            StatusCode::kFailedPrecondition);
  UnixMillis fresh = clock_.NowMillis();
  auto codes = factors_->RegenerateRecoveryCodes(app_, user_, fresh);
  ASSERT_TRUE(codes.ok());
  EXPECT_EQ(codes->size(), 10u);
  EXPECT_TRUE(factors_->Remove(app_, user_, e.factor.id, fresh).ok());
  EXPECT_FALSE(factors_->HasFactors(app_, user_.id).value());
  EXPECT_EQ(factors_->RecoveryCodesLeft(app_, user_.id).value(), 0);  // never the only factor
  EXPECT_EQ(mfa_->StepAfter(app_, user_).value(), SecondStep::kNone);
  // Another user's factor is nobody's to remove.
  store::User bob = NewUser("bob@example.com");
  TotpEnrolment be = Enrol(bob);
  EXPECT_TRUE(factors_->Remove(app_, user_, be.factor.id, clock_.NowMillis()).IsNotFound());
  EXPECT_TRUE(factors_->HasFactors(app_, bob.id).value());
}

TEST_F(MfaSignInTest, RenamesAreCheckedAndTheAdminResetRemovesEverything) {
  TotpEnrolment e = Enrol(user_);
  EXPECT_TRUE(factors_->Rename(app_, user_, e.factor.id, "Pixel 9 — work").ok());
  for (const std::string& bad : {std::string(""), std::string("   "), std::string(65, 'a'),
                                 std::string("bad\nname"), std::string("\xff\xfe")}) {
    EXPECT_EQ(factors_->Rename(app_, user_, e.factor.id, bad).code(), StatusCode::kInvalidArgument)
        << bad;
  }
  EXPECT_EQ(factors_->ListFactors(app_, user_.id).value()[0].name, "Pixel 9 — work");
  (void)MailKinds();
  Actor admin{store::AuditActorType::kDeveloper, "dev-1", "", ""};
  EXPECT_EQ(factors_->Reset(app_, user_, admin).value(), 1);
  EXPECT_FALSE(factors_->HasFactors(app_, user_.id).value());
  EXPECT_EQ(factors_->RecoveryCodesLeft(app_, user_.id).value(), 0);
  EXPECT_EQ(MailKinds(), std::vector<std::string>{"security_notice"});
  store::AuditFilter f;
  f.app_id = app_.id;
  f.action = "mfa.reset";
  auto events = audit_->List(f).value();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].actor_id, "dev-1");
  EXPECT_EQ(events[0].subject_id, user_.id);
}

TEST(CombinedAmrTest, AddsEachMethodOnceAndMfa) {
  EXPECT_EQ(CombinedAmr("pwd", "otp"), "pwd otp mfa");
  EXPECT_EQ(CombinedAmr("otp", "otp"), "otp mfa");
  EXPECT_EQ(CombinedAmr("fed", ""), "fed mfa");
  EXPECT_EQ(CombinedAmr("", "otp"), "otp mfa");
}

}  // namespace
}  // namespace tessera::services
