// Passkeys as a service: a registration binds the credential to its app and user; an
// assertion's challenge is single use and bound to the browser that asked; a passkey of app A
// is nobody on app B; a second factor must be the pending user's; what a passkey proves
// (amr) follows its flags.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "crypto/encoding.h"
#include "mfa/mfa_sign_in.h"
#include "mfa/passkey_service.h"
#include "tests/support/service_stack.h"
#include "tests/support/soft_authenticator.h"

namespace tessera::services {
namespace {

using ::tessera::testing_support::SoftAuthenticator;
constexpr std::string_view kOrigin = "https://id.example.com";

class PasskeyServiceTest : public ::testing::Test, protected testing_support::ServiceStack {
 protected:
  void SetUp() override {
    Build({.audit = true});
    passkeys_ = std::make_unique<PasskeyService>(
        *store_, *accounts_, clock_, crypto::RandomBytes(32),
        PasskeySettingsFor("https://id.example.com/"), std::nullopt, audit_.get());
    SignupInput in;
    in.email = "ann@example.com";
    in.password = "correct horse battery staple";
    ann_ = accounts_->Signup(app_, in).value();
    in.email = "bob@example.com";
    bob_ = accounts_->Signup(app_, in).value();
  }

  static std::string ChallengeOf(const std::string& options_json) {
    return std::string(boost::json::parse(options_json).as_object().at("challenge").as_string());
  }

  // The browser's PublicKeyCredential (toJSON) for a registration.
  static std::string Registration(const SoftAuthenticator& a, const std::string& challenge) {
    std::string id = crypto::Base64UrlEncode(a.credential_id);
    return boost::json::serialize(boost::json::object{
        {"id", id}, {"rawId", id}, {"type", "public-key"},
        {"response",
         boost::json::object{
             {"clientDataJSON", crypto::Base64UrlEncode(::tessera::testing_support::ClientDataJson(
                                    "webauthn.create", challenge, kOrigin))},
             {"attestationObject", crypto::Base64UrlEncode(a.AttestationObject("id.example.com"))}}}});
  }

  static std::string Assertion(const SoftAuthenticator& a, const std::string& challenge,
                               const std::string& user_id, std::string_view origin = kOrigin) {
    std::string client = ::tessera::testing_support::ClientDataJson("webauthn.get", challenge, origin);
    std::string auth = a.AuthData("id.example.com", false);
    std::string id = crypto::Base64UrlEncode(a.credential_id);
    return boost::json::serialize(boost::json::object{
        {"id", id}, {"rawId", id}, {"type", "public-key"},
        {"response", boost::json::object{
                         {"clientDataJSON", crypto::Base64UrlEncode(client)},
                         {"authenticatorData", crypto::Base64UrlEncode(auth)},
                         {"signature", crypto::Base64UrlEncode(a.Sign(auth + crypto::Sha256(client)))},
                         {"userHandle", crypto::Base64UrlEncode(user_id)}}}});
  }

  store::Factor RegisterFor(const store::App& app, const store::User& user, SoftAuthenticator& a) {
    std::string options = passkeys_->RegistrationOptions(app, user, "session-1").value();
    auto f = passkeys_->Register(app, user, "session-1", Registration(a, ChallengeOf(options)),
                                 "Laptop");
    EXPECT_TRUE(f.ok()) << f.status().ToString();
    return f.ok() ? *f : store::Factor{};
  }

  std::unique_ptr<PasskeyService> passkeys_;
  store::User ann_, bob_;
};

TEST_F(PasskeyServiceTest, OptionsNameTheAppAndTheServersRp) {
  auto options = boost::json::parse(passkeys_->RegistrationOptions(app_, ann_, "s").value()).as_object();
  EXPECT_EQ(options.at("rp").at("id").as_string(), "id.example.com");
  EXPECT_NE(std::string(options.at("user").at("name").as_string()).find("ann@example.com · "),
            std::string::npos);
  EXPECT_EQ(options.at("attestation").as_string(), "none");
  EXPECT_EQ(options.at("authenticatorSelection").at("residentKey").as_string(), "required");
  EXPECT_EQ(ChallengeOf(passkeys_->RegistrationOptions(app_, ann_, "s").value()).size(), 43u);
  store::App off = app_;
  off.settings.mfa_passkeys = false;
  EXPECT_EQ(passkeys_->RegistrationOptions(off, ann_, "s").status().code(),
            StatusCode::kPermissionDenied);
}

TEST_F(PasskeyServiceTest, RegistrationIsBoundToTheBrowserAndUsedOnce) {
  SoftAuthenticator a;
  std::string options = passkeys_->RegistrationOptions(app_, ann_, "session-1").value();
  std::string answer = Registration(a, ChallengeOf(options));
  // Another browser session's answer, another user's: refused (and the challenge is spent).
  EXPECT_EQ(passkeys_->Register(app_, ann_, "session-2", answer, "").status().code(),
            StatusCode::kUnauthenticated);
  EXPECT_EQ(passkeys_->Register(app_, ann_, "session-1", answer, "").status().code(),
            StatusCode::kUnauthenticated);
  std::string again = passkeys_->RegistrationOptions(app_, ann_, "session-1").value();
  EXPECT_EQ(passkeys_->Register(app_, bob_, "session-1", Registration(a, ChallengeOf(again)), "")
                .status()
                .code(),
            StatusCode::kUnauthenticated);
  store::Factor f = RegisterFor(app_, ann_, a);
  EXPECT_EQ(f.kind, store::FactorKind::kWebAuthn);
  EXPECT_EQ(f.name, "Laptop");
  EXPECT_TRUE(f.confirmed_at.has_value());
  // The same credential twice is a clash, whoever registers it.
  std::string third = passkeys_->RegistrationOptions(app_, bob_, "session-1").value();
  EXPECT_TRUE(passkeys_->Register(app_, bob_, "session-1", Registration(a, ChallengeOf(third)), "")
                  .status()
                  .IsAlreadyExists());
}

TEST_F(PasskeyServiceTest, APasskeySignsInOnceAndOnlyOnItsApp) {
  SoftAuthenticator a;
  RegisterFor(app_, ann_, a);
  std::string options = passkeys_->AssertionOptions(app_, nullptr, "cookie-1").value();
  std::string answer = Assertion(a, ChallengeOf(options), ann_.id);
  EXPECT_EQ(passkeys_->Authenticate(app_, "cookie-2", answer, nullptr, {}).status().code(),
            StatusCode::kUnauthenticated);  // another browser: and the challenge is spent
  options = passkeys_->AssertionOptions(app_, nullptr, "cookie-1").value();
  answer = Assertion(a, ChallengeOf(options), ann_.id);
  auto proof = passkeys_->Authenticate(app_, "cookie-1", answer, nullptr, {});
  ASSERT_TRUE(proof.ok()) << proof.status().ToString();
  EXPECT_EQ(proof->user.id, ann_.id);
  EXPECT_EQ(proof->amr, "hwk mfa");  // user-verified: two factors in one
  EXPECT_EQ(passkeys_->Authenticate(app_, "cookie-1", answer, nullptr, {}).status().code(),
            StatusCode::kUnauthenticated);  // replayed
  // App B shares the RP ID but not the credential.
  store::App other = console_app_;
  std::string b_options = passkeys_->AssertionOptions(other, nullptr, "cookie-1").value();
  EXPECT_EQ(passkeys_->Authenticate(other, "cookie-1", Assertion(a, ChallengeOf(b_options), ann_.id),
                                    nullptr, {})
                .status()
                .code(),
            StatusCode::kUnauthenticated);
}

// A passkey sign-in's challenge is stored only when spent: a page view writes nothing, the
// challenge is good once, for five minutes, for the app and browser (binding) it was made for.
TEST_F(PasskeyServiceTest, SignInChallengesAreStoredOnlyWhenSpent) {
  SoftAuthenticator a;
  RegisterFor(app_, ann_, a);
  const auto kind = store::MfaChallengeKind::kPasskeyAssertion;
  auto stored = [&](const std::string& challenge) {
    return store_->GetLiveMfaChallenge(app_.id, crypto::Sha256Hex(challenge), kind,
                                       clock_.NowMillis())
        .ok();
  };
  std::string challenge = ChallengeOf(passkeys_->AssertionOptions(app_, nullptr, "tpk_1").value());
  EXPECT_FALSE(stored(challenge));
  std::string answer = Assertion(a, challenge, ann_.id);
  ASSERT_TRUE(passkeys_->Authenticate(app_, "tpk_1", answer, nullptr, {}).ok());
  EXPECT_TRUE(stored(challenge));  // spent
  EXPECT_EQ(passkeys_->Authenticate(app_, "tpk_1", answer, nullptr, {}).status().code(),
            StatusCode::kUnauthenticated);  // replayed

  // Another binding or another app does not verify its MAC.
  challenge = ChallengeOf(passkeys_->AssertionOptions(app_, nullptr, "tpk_1").value());
  EXPECT_FALSE(passkeys_->Authenticate(app_, "tpk_2", Assertion(a, challenge, ann_.id), nullptr, {}).ok());
  store::App twin = app_;
  twin.id = console_app_.id;
  EXPECT_FALSE(passkeys_->Authenticate(twin, "tpk_1", Assertion(a, challenge, ann_.id), nullptr, {}).ok());
  // A forged expiry breaks the MAC.
  std::string bytes = crypto::Base64UrlDecode(challenge).value();
  bytes[20] = static_cast<char>(bytes[20] ^ 0x01);
  EXPECT_FALSE(passkeys_->Authenticate(app_, "tpk_1", Assertion(a, crypto::Base64UrlEncode(bytes), ann_.id),
                                       nullptr, {})
                   .ok());
  // Five minutes, then never.
  challenge = ChallengeOf(passkeys_->AssertionOptions(app_, nullptr, "tpk_1").value());
  clock_.Advance(kPasskeyChallengeTtlMs + 1);
  auto late = passkeys_->Authenticate(app_, "tpk_1", Assertion(a, challenge, ann_.id), nullptr, {});
  EXPECT_EQ(late.status().code(), StatusCode::kUnauthenticated);
  EXPECT_FALSE(stored(challenge));
}

// An app's own front ends (passkey_origins) count for that app only; the server's own origin
// counts for every app.
TEST_F(PasskeyServiceTest, AnAppsOwnOriginsCountForThatAppOnly) {
  SoftAuthenticator a;
  RegisterFor(app_, ann_, a);
  const std::string android = "android:apk-key-hash:" + std::string(43, 'Q');
  auto try_from = [&](const store::App& app, std::string_view origin) {
    std::string options = passkeys_->AssertionOptions(app, nullptr, "t").value();
    return passkeys_->Authenticate(app, "t", Assertion(a, ChallengeOf(options), ann_.id, origin),
                                   nullptr, {});
  };
  auto refused = try_from(app_, "https://app.example.com");
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("https://app.example.com is not allowed"),
            std::string::npos)
      << refused.status().ToString();
  EXPECT_FALSE(try_from(app_, android).ok());
  store::App own = app_;
  own.settings.passkey_origins = {"https://app.example.com", android};
  EXPECT_TRUE(try_from(own, "https://app.example.com").ok());
  EXPECT_TRUE(try_from(own, android).ok());
  EXPECT_TRUE(try_from(own, kOrigin).ok());
  EXPECT_FALSE(try_from(own, "https://app.example.com:8443").ok());  // exact
}

// The JSON API's passkey sign-in: user verification makes it two factors; without, the
// second step follows and the same passkey counts again only with verification.
TEST_F(PasskeyServiceTest, TheApiSignsInWithAPasskeyAloneOnlyWhenVerified) {
  FactorService factors(*store_, crypto::RandomBytes(32), clock_, std::nullopt, audit_.get());
  MfaSignIn mfa(*store_, *accounts_, *sessions_, factors, crypto::RandomBytes(32), clock_,
                nullptr, std::nullopt, audit_.get());
  mfa.SetPasskeys(passkeys_.get());
  SoftAuthenticator a;
  RegisterFor(app_, ann_, a);
  auto sign_in = [&] {
    std::string options = passkeys_->AssertionOptions(app_, nullptr, "tpk_1").value();
    auto proof = passkeys_->Authenticate(app_, "tpk_1", Assertion(a, ChallengeOf(options), ann_.id),
                                         nullptr, {});
    EXPECT_TRUE(proof.ok()) << proof.status().ToString();
    return mfa.ApiAfterPasskey(app_, *proof, {}).value();
  };
  ApiSignIn verified = sign_in();
  ASSERT_TRUE(verified.grant.has_value());
  EXPECT_FALSE(verified.mfa.has_value());

  a.flags = 0x01;  // present, not verified
  ApiSignIn first_only = sign_in();
  ASSERT_FALSE(first_only.grant.has_value());
  ASSERT_TRUE(first_only.mfa.has_value());
  EXPECT_FALSE(first_only.mfa->enrol);
  EXPECT_EQ(first_only.mfa->methods, std::vector<std::string>{"passkey"});
  const std::string token = first_only.mfa->mfa_token;
  const auto kind = store::MfaChallengeKind::kApiLogin;
  std::string options = passkeys_->AssertionOptions(app_, &ann_, token).value();
  EXPECT_EQ(mfa.CompleteWithPasskey(app_, token, kind, Assertion(a, ChallengeOf(options), ann_.id),
                                    {})
                .status()
                .code(),
            StatusCode::kUnauthenticated);
  a.flags = 0x05;  // present and verified
  options = passkeys_->AssertionOptions(app_, &ann_, token).value();
  auto done =
      mfa.CompleteWithPasskey(app_, token, kind, Assertion(a, ChallengeOf(options), ann_.id), {});
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ(done->amr, "hwk mfa");
}

TEST_F(PasskeyServiceTest, ASecondFactorMustBeThePendingUsersAndFlagsDecideTheAmr) {
  SoftAuthenticator a;
  RegisterFor(app_, ann_, a);
  std::string options = passkeys_->AssertionOptions(app_, &bob_, "mfa-1").value();
  EXPECT_EQ(passkeys_->Authenticate(app_, "mfa-1", Assertion(a, ChallengeOf(options), ann_.id),
                                    &bob_, {})
                .status()
                .code(),
            StatusCode::kUnauthenticated);
  a.flags = 0x01 | 0x10;  // present, not verified, backed up (a synced passkey)
  options = passkeys_->AssertionOptions(app_, &ann_, "mfa-1").value();
  auto proof =
      passkeys_->Authenticate(app_, "mfa-1", Assertion(a, ChallengeOf(options), ann_.id), &ann_, {});
  ASSERT_TRUE(proof.ok()) << proof.status().ToString();
  EXPECT_EQ(proof->amr, "swk");
  EXPECT_FALSE(proof->user_verified);
  // A counter that goes back after having counted is a cloned authenticator.
  a.counter = 5;
  options = passkeys_->AssertionOptions(app_, &ann_, "mfa-1").value();
  ASSERT_TRUE(
      passkeys_->Authenticate(app_, "mfa-1", Assertion(a, ChallengeOf(options), ann_.id), &ann_, {}).ok());
  a.counter = 3;
  options = passkeys_->AssertionOptions(app_, &ann_, "mfa-1").value();
  EXPECT_EQ(passkeys_->Authenticate(app_, "mfa-1", Assertion(a, ChallengeOf(options), ann_.id),
                                    &ann_, {})
                .status()
                .code(),
            StatusCode::kFailedPrecondition);  // 409: told apart from a bad signature
  // A signature that does not verify proves nothing: 401.
  SoftAuthenticator impostor;
  impostor.credential_id = a.credential_id;
  a.counter = 9;
  impostor.counter = 9;
  options = passkeys_->AssertionOptions(app_, &ann_, "mfa-1").value();
  EXPECT_EQ(passkeys_->Authenticate(app_, "mfa-1",
                                    Assertion(impostor, ChallengeOf(options), ann_.id), &ann_, {})
                .status()
                .code(),
            StatusCode::kUnauthenticated);
}

TEST_F(PasskeyServiceTest, MalformedAnswersAreRefusedClearly) {
  for (const std::string& bad :
       {std::string(""), std::string("not json"), std::string("[]"),
        std::string(R"({"type":"public-key","id":"abc","response":{}})"),
        std::string(R"({"type":"password","id":"abc","response":{"clientDataJSON":"e30"}})"),
        std::string(70000, '{')}) {
    EXPECT_EQ(passkeys_->Authenticate(app_, "c", bad, nullptr, {}).status().code(),
              StatusCode::kInvalidArgument)
        << bad.substr(0, 60);
  }
}

TEST_F(PasskeyServiceTest, AnAppThatOffersOnlyPasskeysMakesHostedSignInsEnrolOne) {
  FactorService factors(*store_, crypto::RandomBytes(32), clock_, std::nullopt, audit_.get());
  MfaSignIn mfa(*store_, *accounts_, *sessions_, factors, crypto::RandomBytes(32), clock_, nullptr,
                std::nullopt, audit_.get());
  mfa.SetPasskeys(passkeys_.get());
  store::App strict = app_;
  strict.settings.mfa = store::MfaPolicy::kRequired;
  strict.settings.mfa_totp = false;
  // A passkey is the enrolment (hosted pages and JSON API alike); with passkeys off too
  // there is nothing to enrol.
  EXPECT_EQ(mfa.StepAfter(strict, ann_).value(), SecondStep::kEnrol);
  EXPECT_EQ(mfa.EnrolMethods(strict), std::vector<std::string>{"passkey"});
  store::App nothing = strict;
  nothing.settings.mfa_passkeys = false;
  EXPECT_EQ(mfa.StepAfter(nothing, ann_).value(), SecondStep::kNone);
  std::string token = mfa.Begin(strict, ann_, store::MfaChallengeKind::kSignIn,
                                {"pwd", "", ""}, SecondStep::kEnrol)
                          .value();
  SoftAuthenticator a;
  // Options bound to another browser's sign-in do not enrol this one.
  std::string stray = passkeys_->RegistrationOptions(strict, ann_, "tmf_other").value();
  EXPECT_FALSE(mfa.CompleteEnrolmentWithPasskey(strict, token, store::MfaChallengeKind::kSignIn,
                                                Registration(a, ChallengeOf(stray)))
                   .ok());
  std::string options = passkeys_->RegistrationOptions(strict, ann_, token).value();
  auto done = mfa.CompleteEnrolmentWithPasskey(strict, token, store::MfaChallengeKind::kSignIn,
                                               Registration(a, ChallengeOf(options)));
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ(done->amr, "pwd hwk mfa");
  EXPECT_EQ(done->recovery_codes.size(), 10u);
  EXPECT_EQ(mfa.StepAfter(strict, ann_).value(), SecondStep::kVerify);
  EXPECT_TRUE(mfa.Pending(strict, token, store::MfaChallengeKind::kSignIn).status().IsNotFound());
}

TEST(PasskeySettingsTest, FromPublicUrl) {
  PasskeySettings s = PasskeySettingsFor("https://id.example.com:8443/base");
  EXPECT_EQ(s.rp_id, "id.example.com");
  EXPECT_EQ(s.origins, std::vector<std::string>{"https://id.example.com:8443"});
  EXPECT_EQ(PasskeySettingsFor("http://127.0.0.1:8080").origins,
            std::vector<std::string>{"http://127.0.0.1:8080"});
}

}  // namespace
}  // namespace tessera::services
