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
        *store_, *accounts_, clock_, PasskeySettingsFor("https://id.example.com/"), std::nullopt,
        audit_.get());
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
                               const std::string& user_id) {
    std::string client = ::tessera::testing_support::ClientDataJson("webauthn.get", challenge, kOrigin);
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
  // The JSON API enrols authenticator apps only: nothing to ask there.
  EXPECT_EQ(mfa.StepAfter(strict, ann_, false, /*hosted=*/false).value(), SecondStep::kNone);
  EXPECT_EQ(mfa.StepAfter(strict, ann_, false, /*hosted=*/true).value(), SecondStep::kEnrol);
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
  EXPECT_EQ(mfa.StepAfter(strict, ann_, false, true).value(), SecondStep::kVerify);
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
