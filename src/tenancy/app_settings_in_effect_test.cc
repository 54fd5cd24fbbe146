// The per-app settings in effect, over the services wired as in the server: the app's
// password policy, token lifetimes, sign-in methods, verified-email rule and mail sender
// (each read from the app's parsed settings, tenancy/app_settings.h).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "crypto/digest.h"
#include "crypto/encoding.h"
#include "tests/support/console_fixture.h"

namespace tessera::services {
namespace {

using namespace testing_console;
using ::testing::ElementsAre;
namespace json = boost::json;

class ConsoleAppSettingsInEffectTest : public ConsoleFixture {
 protected:
  store::App AppWith(std::string slug, const store::AppSettings& s) {
    NewApp(slug, "Acme");
    auto a =
        apps_->Update(slug, std::nullopt, s, MakeActor(store::AuditActorType::kDeveloper, "dev-1"));
    EXPECT_TRUE(a.ok()) << a.status().ToString();
    return a.ok() ? *a : store::App{};
  }
  static json::object Payload(std::string_view jwt) {
    size_t a = jwt.find('.');
    size_t b = jwt.find('.', a + 1);
    auto text = crypto::Base64UrlDecode(jwt.substr(a + 1, b - a - 1));
    EXPECT_TRUE(text.has_value());
    return json::parse(text.value_or("{}")).as_object();
  }
};

TEST_F(ConsoleAppSettingsInEffectTest, PasswordMinLengthOfTheApp) {
  store::AppSettings s;
  s.password_min_length = 12;
  store::App strict = AppWith("strict", s);
  const std::string ten = "qz7!vK2#pL";  // 10 characters: the server's minimum is 8
  ASSERT_EQ(ten.size(), 10u);

  auto refused = accounts_->Signup(strict, Input("ada@example.com", ten));
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(Fields(refused.status()), ElementsAre("password"));
  EXPECT_TRUE(accounts_->Signup(app_, Input("ada@example.com", ten)).ok());
  EXPECT_TRUE(accounts_->Signup(strict, Input("ada@example.com", ten + "x9")).ok());
  // Also for users made by the app itself.
  auto by_app = users_->Create(strict, Input("bob@example.com", ten),
                               MakeActor(store::AuditActorType::kApiKey, "k"));
  EXPECT_THAT(Fields(by_app.status()), ElementsAre("password"));
}

TEST_F(ConsoleAppSettingsInEffectTest, AccessTokenLifetimeOfTheApp) {
  store::AppSettings s;
  s.access_token_ttl_s = 120;
  store::App quick = AppWith("quick", s);
  MakeUser(quick, "ada@example.com");
  MakeUser(app_, "ada@example.com");

  TokenGrant g = sessions_->Login(quick, "ada@example.com", kPassword, client_).value();
  EXPECT_EQ(g.expires_in, 120);
  json::object claims = Payload(g.access_token);
  EXPECT_EQ(claims.at("exp").as_int64() - claims.at("iat").as_int64(), 120);
  TokenGrant r = sessions_->Refresh(quick, g.refresh_token, client_).value();
  EXPECT_EQ(r.expires_in, 120);

  TokenGrant d = sessions_->Login(app_, "ada@example.com", kPassword, client_).value();
  EXPECT_EQ(d.expires_in, kServerAccessTtlS);
}

TEST_F(ConsoleAppSettingsInEffectTest, RefreshTokenLifetimeOfTheApp) {
  store::AppSettings s;
  s.refresh_token_ttl_s = 86400;
  store::App day = AppWith("day", s);
  MakeUser(day, "ada@example.com");
  MakeUser(app_, "ada@example.com");

  TokenGrant g = sessions_->Login(day, "ada@example.com", kPassword, client_).value();
  auto info = store_->GetRefreshToken(day.id, crypto::TokenHash(g.refresh_token)).value();
  EXPECT_EQ(info.token.expires_at, kStart + 86400LL * 1000);

  clock_.Advance(5000);
  TokenGrant r = sessions_->Refresh(day, g.refresh_token, client_).value();
  auto next = store_->GetRefreshToken(day.id, crypto::TokenHash(r.refresh_token)).value();
  EXPECT_EQ(next.token.expires_at, kStart + 5000 + 86400LL * 1000);

  TokenGrant d = sessions_->Login(app_, "ada@example.com", kPassword, client_).value();
  auto dinfo = store_->GetRefreshToken(app_.id, crypto::TokenHash(d.refresh_token)).value();
  EXPECT_EQ(dinfo.token.expires_at, clock_.NowMillis() + kServerRefreshTtlS * 1000);
}

TEST_F(ConsoleAppSettingsInEffectTest, SignInMethodsOfTheApp) {
  store::AppSettings s;
  s.magic_link_login = false;
  s.email_code_login = false;
  store::App app = AppWith("nolinks", s);
  MakeUser(app, "ada@example.com");
  MakeUser(app_, "ada@example.com");

  EXPECT_EQ(passwordless_->RequestLink(app, "ada@example.com", {}, client_).code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(passwordless_->RequestCode(app, "ada@example.com", client_).code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(store_->CountUnsentMail().value(), 0);

  EXPECT_TRUE(passwordless_->RequestLink(app_, "ada@example.com", {}, client_).ok());
  EXPECT_TRUE(passwordless_->RequestCode(app_, "ada@example.com", client_).ok());
  EXPECT_EQ(store_->CountUnsentMail().value(), 2);
}

TEST_F(ConsoleAppSettingsInEffectTest, RequireVerifiedEmailOfTheApp) {
  store::AppSettings s;
  s.require_verified_email = true;
  store::App app = AppWith("verified", s);
  MakeUser(app, "ada@example.com");  // not verified
  EXPECT_EQ(accounts_->Authenticate(app, "ada@example.com", kPassword, client_).status().code(),
            StatusCode::kPermissionDenied);
  MakeUser(app_, "ada@example.com");
  EXPECT_TRUE(accounts_->Authenticate(app_, "ada@example.com", kPassword, client_).ok());
}

TEST_F(ConsoleAppSettingsInEffectTest, MailSenderOfTheApp) {
  // No settings: the worker's default (the Mailer's default_from is "", as CoreServices has it).
  EXPECT_EQ(mailer_->SenderFor(app_), "");

  store::AppSettings named;
  named.mail_sender_name = "Acme Support";
  store::App a = AppWith("named", named);
  EXPECT_EQ(mailer_->SenderFor(a), "\"Acme Support\" <noreply@example.com>");

  // An address of the app's own, its domain neither allowed nor verified (issue 11, item 8):
  // the server's sender, Reply-To the app's address.
  store::AppSettings own;
  own.mail_from = "hello@acme.example";
  store::App b = AppWith("own", own);
  EXPECT_EQ(mailer_->SenderFor(b), "");
  EXPECT_EQ(mailer_->SenderOf(b).reply_to, "hello@acme.example");

  store::AppSettings both;
  both.mail_from = "Acme <hello@acme.example>";
  both.mail_sender_name = "Acme Support";
  store::App c = AppWith("both", both);
  EXPECT_EQ(mailer_->SenderFor(c), "\"Acme Support\" <noreply@example.com>");
  EXPECT_EQ(mailer_->SenderOf(c).reply_to, "hello@acme.example");

  // The queued mail carries it.
  MakeUser(a, "ada@example.com");
  ASSERT_TRUE(passwordless_->RequestLink(a, "ada@example.com", {}, client_).ok());
  auto mail = store_->LeaseDueMail(clock_.NowMillis(), 10, 60'000).value();
  ASSERT_EQ(mail.size(), 1u);
  EXPECT_EQ(mail[0].from_address, "\"Acme Support\" <noreply@example.com>");
  EXPECT_EQ(mail[0].kind, "magic_link");
}

}  // namespace
}  // namespace tessera::services
