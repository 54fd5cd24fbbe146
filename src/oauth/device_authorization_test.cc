// The device authorization grant (RFC 8628): DeviceAuthorizationService (start, find by the
// user's code, decide) and DeviceCodeGrant (polling). Every answer of §3.5 — pending,
// slow_down and its lasting +5 s, access_denied, expired_token — the tokens exactly once,
// codes bound to their client and app, the app's switch, the client's grant, scopes as at
// /authorize, wrong codes counted and limited, and a decision taken once.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "tests/support/oauth_fixture.h"

namespace tessera::services {
namespace {

using namespace testing_oauth;

class DeviceAuthorizationTest : public OAuthFixture {
 protected:
  void SetUp() override {
    OAuthFixture::SetUp();
    app_.settings.device_flow = true;
  }

  // A public client (a TV app) registered for the device grant (and refresh tokens).
  store::OAuthClient Tv(std::string name = "Living-room TV") {
    ClientRegistration r;
    r.name = std::move(name);
    r.is_public = true;
    r.grant_types = {std::string(kDeviceCodeGrantType), "refresh_token"};
    return Register(std::move(r));
  }

  StartedDeviceAuthorization Start(const store::OAuthClient& c, std::string scope = "") {
    auto s = devices_->Start(app_, c, scope, client_);
    EXPECT_TRUE(s.ok()) << ErrorOf(s);
    return s.ok() ? *s : StartedDeviceAuthorization{};
  }

  OAuthResult<GrantedTokens> Poll(const store::OAuthClient& c, std::string device_code,
                                  const store::App* app = nullptr) {
    return RunGrant(*device_grant_, c, {{"device_code", std::move(device_code)}}, app);
  }
};

TEST_F(DeviceAuthorizationTest, StartAnswersCodesShapedAsTheRfcAsks) {
  store::OAuthClient tv = Tv();
  StartedDeviceAuthorization s = Start(tv);
  EXPECT_EQ(s.device_code.rfind("tdc_", 0), 0u);
  EXPECT_EQ(s.device_code.size(), 4u + 43u);
  EXPECT_EQ(s.expires_in, 600);
  EXPECT_EQ(s.interval, 5);
  // XXXX-XXXX of consonants only: no vowels (no words), no digits to confuse with letters.
  ASSERT_EQ(s.user_code.size(), 9u);
  EXPECT_EQ(s.user_code[4], '-');
  for (size_t i = 0; i < s.user_code.size(); ++i) {
    if (i == 4) continue;
    EXPECT_NE(std::string_view("BCDFGHJKLMNPQRSTVWXZ").find(s.user_code[i]), std::string_view::npos)
        << s.user_code;
  }
  // Two starts never share a code.
  StartedDeviceAuthorization t = Start(tv);
  EXPECT_NE(s.device_code, t.device_code);
  EXPECT_NE(s.user_code, t.user_code);
  // Only hashes are stored.
  EXPECT_TRUE(store_->GetDeviceAuthorization(app_.id, store::DeviceAuthorizationStore::CodeKind::kDeviceCode,
                                             s.device_code).status().IsNotFound());
}

TEST_F(DeviceAuthorizationTest, UserCodesAreReadInAnyCaseWithOrWithoutTheDash) {
  using D = DeviceAuthorizationService;
  EXPECT_EQ(D::NormalizeUserCode("WDJB-MJHT"), "WDJBMJHT");
  EXPECT_EQ(D::NormalizeUserCode("wdjb mjht"), "WDJBMJHT");
  EXPECT_EQ(D::NormalizeUserCode(" wdjbmjht "), "WDJBMJHT");
  EXPECT_EQ(D::FormatUserCode("WDJBMJHT"), "WDJB-MJHT");
  for (std::string_view bad : {"", "WDJB-MJH", "WDJB-MJHTX", "WDJB-MJH0", "AEIO-UAEI",
                               "WDJB_MJHT", "WDJB-MJH\xC3\x9F", "'; DROP TABLE x;--"}) {
    EXPECT_FALSE(D::NormalizeUserCode(bad)) << bad;
  }
  EXPECT_FALSE(D::NormalizeUserCode(std::string(10'000, 'B')));
}

TEST_F(DeviceAuthorizationTest, TheWholeFlowGivesTokensOnceAndTheUserSeesTheClient) {
  store::User u = SignUp("ada@example.com", "ada");
  StartedBrowserSession b = SignIn(u);
  store::OAuthClient tv = Tv();
  StartedDeviceAuthorization s = Start(tv, "openid profile offline_access");

  EXPECT_EQ(ErrorOf(Poll(tv, s.device_code)), "authorization_pending");
  clock_.Advance(5'000);
  EXPECT_EQ(ErrorOf(Poll(tv, s.device_code)), "authorization_pending");

  std::string typed = s.user_code;
  for (char& c : typed) c = static_cast<char>(std::tolower(c));
  auto pending = devices_->FindPending(app_, typed, u.id, client_);
  ASSERT_TRUE(pending.ok()) << pending.status().ToString();
  EXPECT_EQ(pending->user_code, s.user_code);
  EXPECT_EQ(pending->client.name, "Living-room TV");
  EXPECT_EQ(pending->scopes, (std::vector<std::string>{"openid", "profile", "offline_access"}));
  ASSERT_TRUE(devices_->Approve(app_, typed, b.session, client_).ok());
  // Decided once: the code is no longer pending, for a second tab or anyone else.
  EXPECT_TRUE(devices_->Deny(app_, s.user_code, b.session, client_).IsNotFound());
  EXPECT_TRUE(devices_->FindPending(app_, s.user_code, u.id, client_).status().IsNotFound());

  clock_.Advance(5'000);
  auto t = Poll(tv, s.device_code);
  ASSERT_TRUE(t.ok()) << ErrorOf(t);
  EXPECT_EQ(t->scope, "openid profile offline_access");
  ASSERT_TRUE(t->refresh_token);
  ASSERT_TRUE(t->id_token);
  boost::json::object id = Payload(*t->id_token);
  EXPECT_EQ(Str(id, "sub"), u.id);
  EXPECT_EQ(Str(id, "aud"), tv.client_id);
  EXPECT_FALSE(id.contains("nonce"));
  EXPECT_EQ(id.at("auth_time").to_number<int64_t>(), kStart / 1000);
  // The grant is an oauth session of the TV, listed among the user's authorized apps.
  store::Session grant = store_->GetSession(app_.id, Str(id, "sid")).value();
  EXPECT_EQ(grant.kind, store::SessionKind::kOAuth);
  EXPECT_EQ(grant.client_id, tv.client_id);
  auto apps = authz_->ListAuthorizedApps(app_, u.id);
  ASSERT_TRUE(apps.ok());
  ASSERT_EQ(apps->size(), 1u);
  EXPECT_EQ((*apps)[0].client.client_id, tv.client_id);
  EXPECT_TRUE(Active(*t->refresh_token));

  // Single use: a second poll gets nothing, however late.
  clock_.Advance(5'000);
  EXPECT_EQ(ErrorOf(Poll(tv, s.device_code)), "invalid_grant");
  // Revoking the app from the account ends the device's grant.
  ASSERT_TRUE(authz_->RevokeAuthorization(app_, u.id, tv.client_id).ok());
  EXPECT_FALSE(Active(*t->refresh_token));
}

TEST_F(DeviceAuthorizationTest, PollingTooFastSlowsDownForGood) {
  store::OAuthClient tv = Tv();
  StartedDeviceAuthorization s = Start(tv);
  EXPECT_EQ(ErrorOf(Poll(tv, s.device_code)), "authorization_pending");
  clock_.Advance(1'000);
  auto fast = Poll(tv, s.device_code);
  EXPECT_EQ(ErrorOf(fast), "slow_down");
  EXPECT_NE(fast.error().description.find("10 seconds"), std::string::npos) << fast.error().description;
  // The interval is 10 s now: 6 s later is still too soon (and adds 5 s more).
  clock_.Advance(6'000);
  EXPECT_EQ(ErrorOf(Poll(tv, s.device_code)), "slow_down");
  clock_.Advance(15'000);
  EXPECT_EQ(ErrorOf(Poll(tv, s.device_code)), "authorization_pending");
  // Exactly on the interval is on time (a timer a hair early, too).
  clock_.Advance(15'000 - 100);
  EXPECT_EQ(ErrorOf(Poll(tv, s.device_code)), "authorization_pending");
}

TEST_F(DeviceAuthorizationTest, DeniedExpiredForeignAndForgedCodesGetTheirOwnAnswers) {
  store::User u = SignUp("ada@example.com", "ada");
  StartedBrowserSession b = SignIn(u);
  store::OAuthClient tv = Tv();
  store::OAuthClient other = Tv("Other TV");

  StartedDeviceAuthorization denied = Start(tv);
  ASSERT_TRUE(devices_->Deny(app_, denied.user_code, b.session, client_).ok());
  EXPECT_EQ(ErrorOf(Poll(tv, denied.device_code)), "access_denied");

  StartedDeviceAuthorization late = Start(tv);
  clock_.Advance(600'000);
  EXPECT_EQ(ErrorOf(Poll(tv, late.device_code)), "expired_token");
  EXPECT_TRUE(devices_->FindPending(app_, late.user_code, u.id, client_).status().IsNotFound());
  EXPECT_TRUE(devices_->Approve(app_, late.user_code, b.session, client_).IsNotFound());

  // Another client's device code is as good as unknown, and does not disturb the owner's polls.
  StartedDeviceAuthorization mine = Start(tv);
  EXPECT_EQ(ErrorOf(Poll(other, mine.device_code)), "invalid_grant");
  EXPECT_EQ(ErrorOf(Poll(tv, mine.device_code)), "authorization_pending");
  // Another app, a forged code, a missing one.
  store::App elsewhere = app_;
  elsewhere.id = "another-app-id";
  EXPECT_EQ(ErrorOf(Poll(tv, mine.device_code, &elsewhere)), "invalid_grant");
  EXPECT_EQ(ErrorOf(Poll(tv, "tdc_" + std::string(43, 'A'))), "invalid_grant");
  EXPECT_EQ(ErrorOf(Poll(tv, "tac_" + std::string(43, 'A'))), "invalid_grant");
  EXPECT_EQ(ErrorOf(Poll(tv, std::string(100'000, 'x'))), "invalid_grant");
  EXPECT_EQ(ErrorOf(RunGrant(*device_grant_, tv, {})), "invalid_request");
}

TEST_F(DeviceAuthorizationTest, TheAppsSwitchTheClientsGrantAndItsScopesDecide) {
  store::OAuthClient tv = Tv();
  store::App off = app_;
  off.settings.device_flow = false;
  auto refused = devices_->Start(off, tv, "", client_);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "unauthorized_client");
  // Off, the grant is not offered at all (the token endpoint: unsupported_grant_type).
  EXPECT_EQ(grant_types_->For(off, tv, kDeviceCodeGrantType).error().code, "unsupported_grant_type");
  EXPECT_TRUE(grant_types_->For(app_, tv, kDeviceCodeGrantType).ok());
  auto names = grant_types_->Names(off);
  EXPECT_EQ(std::find(names.begin(), names.end(), kDeviceCodeGrantType), names.end());
  names = grant_types_->Names(app_);
  EXPECT_NE(std::find(names.begin(), names.end(), kDeviceCodeGrantType), names.end());

  // A client without the grant.
  auto web = devices_->Start(app_, Confidential(), "", client_);
  ASSERT_FALSE(web.ok());
  EXPECT_EQ(web.error().code, "unauthorized_client");
  EXPECT_EQ(grant_types_->For(app_, Confidential("Web"), kDeviceCodeGrantType).error().code,
            "unauthorized_client");

  // Scopes as at /authorize: unregistered ones refused, none means the client's defaults.
  EXPECT_EQ(ErrorOf(devices_->Start(app_, tv, "openid admin", client_)), "invalid_scope");
  EXPECT_EQ(ErrorOf(devices_->Start(app_, tv, "openid\tprofile", client_)), "invalid_scope");
  auto defaults = devices_->Start(app_, tv, "", client_);
  ASSERT_TRUE(defaults.ok());
  auto pending = devices_->FindPending(app_, defaults->user_code, "", client_);
  ASSERT_TRUE(pending.ok());
  EXPECT_EQ(pending->scopes, (std::vector<std::string>{"openid", "profile", "email"}));
}

TEST_F(DeviceAuthorizationTest, WrongCodesAreCountedPerUserAndPerAddress) {
  store::OAuthClient tv = Tv();
  StartedDeviceAuthorization s = Start(tv);
  // The test stack allows 5 wrong codes per user (or anonymous address) and 20 per IP.
  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(devices_->FindPending(app_, "BCDF-GHJK", "user-1", client_).status().IsNotFound());
  }
  auto limited = devices_->FindPending(app_, s.user_code, "user-1", client_);
  EXPECT_EQ(limited.status().code(), StatusCode::kRateLimited);
  EXPECT_GT(limited.status().retry_after_s(), 0);
  EXPECT_NE(limited.status().message().find("Too many failed code entries"), std::string::npos);
  // Malformed input counts too; another user on the address still has a budget of their own.
  EXPECT_TRUE(devices_->FindPending(app_, "<script>", "user-2", client_).status().IsNotFound());
  EXPECT_TRUE(devices_->FindPending(app_, s.user_code, "user-2", client_).ok());
  // Past the window the user may try again (the code itself has expired by then).
  clock_.Advance(900'000);
  EXPECT_TRUE(devices_->FindPending(app_, s.user_code, "user-1", client_).status().IsNotFound());
}

TEST_F(DeviceAuthorizationTest, StartsAreLimitedPerClientAndAddress) {
  store::OAuthClient tv = Tv();
  // The test stack allows 6 starts per IP in the window.
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(devices_->Start(app_, tv, "", client_).ok()) << i;
  auto refused = devices_->Start(app_, tv, "", client_);
  EXPECT_EQ(ErrorOf(refused), "slow_down");
  ClientInfo elsewhere{"203.0.113.9", "tv"};
  EXPECT_TRUE(devices_->Start(app_, tv, "", elsewhere).ok());
}

}  // namespace
}  // namespace tessera::services
