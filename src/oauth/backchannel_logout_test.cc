// OIDC Back-Channel Logout 1.0 from a grant's end to the relying party's endpoint: the store
// queues the delivery with the revocation, the worker sends a logout token signed as the
// client's ID tokens are, through libcurl, to a real HTTP server on loopback.
#include "oauth/backchannel_logout.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "crypto/jwt.h"
#include "outbound/delivery_worker.h"
#include "outbound/outbound_http.h"
#include "tests/support/loopback_http_server.h"
#include "tests/support/oauth_fixture.h"

namespace tessera::services::testing_oauth {
namespace {

using ::tessera::testing_support::LoopbackHttpServer;
using ::tessera::testing_support::LoopbackRequest;
using ::tessera::testing_support::LoopbackResponse;

constexpr char kEvent[] = "http://schemas.openid.net/event/backchannel-logout";

class BackchannelLogoutTest : public OAuthFixture {
 protected:
  void SetUp() override {
    OAuthFixture::SetUp();
    SetBackchannel(true);
    receiver_.Route("POST", "/logout", [this](const LoopbackRequest&) {
      return LoopbackResponse::Text("", receiver_status_);
    });
    ClientRegistration r;
    r.name = "Photos";
    r.redirect_uris = {kConfidentialRedirect};
    r.backchannel_logout_uri = receiver_.url() + "/logout?tenant=a";
    photos_ = Register(std::move(r));
    quiet_ = Confidential("Quiet");  // no back-channel URI
    user_ = SignUp("ada@example.com", "ada");
    signed_in_ = SignIn(user_).session;
    CurlOutboundHttpOptions o;
    o.allow_private_addresses = true;  // the receiver is on 127.0.0.1
    o.total_timeout_ms = 2000;
    http_ = std::make_unique<CurlOutboundHttp>(o);
    preparer_ = std::make_unique<BackchannelLogout>(*store_, *store_, *token_issuer_);
    worker_ = std::make_unique<DeliveryWorker>(*store_, *http_, clock_, metrics_);
    worker_->SetPreparer(store::DeliveryKind::kBackchannelLogout, *preparer_);
  }

  void SetBackchannel(bool on) {
    store::AppSettings s = app_.settings;
    s.backchannel_logout = on;
    app_ = apps_->UpdateSettings(app_.slug, s).value();
  }

  int RunWorker() {
    auto tried = worker_->RunOnce();
    EXPECT_TRUE(tried.ok()) << tried.status().ToString();
    return tried.ok() ? *tried : -1;
  }

  std::vector<std::string> LogoutTokens() {
    std::vector<std::string> out;
    for (const LoopbackRequest& r : receiver_.RequestsTo("/logout")) {
      EXPECT_EQ(r.query, "tenant=a");
      EXPECT_EQ(r.Header("Content-Type"), "application/x-www-form-urlencoded");
      out.push_back(r.Form()["logout_token"]);
    }
    return out;
  }

  // The token's claims when its signature verifies with the app's published keys (RS256,
  // the client's ID token algorithm) and its typ is logout+jwt.
  boost::json::object Verified(const std::string& token) {
    auto keys = keys_->Current();
    auto jws = crypto::VerifyJws(
        token,
        [&](const boost::json::object& header) -> const crypto::SigningKey* {
          auto kid = header.find("kid");
          return kid != header.end() && kid->value().is_string()
                     ? keys->Find(kid->value().as_string())
                     : nullptr;
        },
        {crypto::JwsAlg::kRS256}, "logout+jwt");
    EXPECT_TRUE(jws.ok()) << jws.status().ToString();
    return jws.ok() ? jws->claims : boost::json::object{};
  }

  std::vector<store::Delivery> Deliveries() { return store_->ListDeliveries(app_.id, "", 50).value(); }

  LoopbackHttpServer receiver_;
  int receiver_status_ = 200;
  store::OAuthClient photos_;
  store::OAuthClient quiet_;
  store::User user_;
  store::Session signed_in_;
  std::unique_ptr<CurlOutboundHttp> http_;
  std::unique_ptr<BackchannelLogout> preparer_;
  std::unique_ptr<DeliveryWorker> worker_;
};

TEST_F(BackchannelLogoutTest, SigningOutOfTheBrowserEndsTheGrantAndSendsASignedLogoutToken) {
  GrantedTokens photos = Grant(photos_, signed_in_, "openid profile");
  GrantedTokens quiet = Grant(quiet_, signed_in_, "openid");
  const std::string sid = Str(Payload(*photos.id_token), "sid");
  ASSERT_FALSE(sid.empty());
  ASSERT_TRUE(Active(photos.access_token));

  ASSERT_TRUE(browser_->End(app_, signed_in_, store::RevokeReason::kLogout).ok());
  // The grants ended with the sign-in: their access tokens are dead on every node at once.
  EXPECT_FALSE(Active(photos.access_token));
  EXPECT_FALSE(Active(quiet.access_token));

  EXPECT_EQ(RunWorker(), 1);  // only the client with a back-channel URI is owed a token
  std::vector<std::string> tokens = LogoutTokens();
  ASSERT_EQ(tokens.size(), 1u);
  boost::json::object header = JwtPart(tokens[0], 0);
  EXPECT_EQ(Str(header, "typ"), "logout+jwt");
  EXPECT_EQ(Str(header, "alg"), "RS256");
  boost::json::object claims = Verified(tokens[0]);
  EXPECT_EQ(Str(claims, "iss"), apps_->IssuerFor(app_.slug));
  EXPECT_EQ(Str(claims, "aud"), photos_.client_id);
  EXPECT_EQ(Str(claims, "sub"), user_.id);
  EXPECT_EQ(Str(claims, "sid"), sid);
  EXPECT_FALSE(Str(claims, "jti").empty());
  EXPECT_FALSE(claims.contains("nonce"));  // §2.4: a logout token never has one
  ASSERT_TRUE(claims.contains("events") && claims.at("events").is_object());
  EXPECT_TRUE(claims.at("events").as_object().contains(kEvent));
  EXPECT_EQ(claims.at("iat").as_int64(), clock_.NowSeconds());
  EXPECT_GT(claims.at("exp").as_int64(), claims.at("iat").as_int64());

  std::vector<store::Delivery> done = Deliveries();
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].state, store::DeliveryState::kDelivered);
  EXPECT_EQ(done[0].last_status, 200);
  EXPECT_EQ(RunWorker(), 0);  // delivered once
  EXPECT_EQ(metrics_.deliveries_sent.Value(), 1u);
}

TEST_F(BackchannelLogoutTest, AFailingReceiverIsRetriedWithBackOffUntilItTakesTheToken) {
  Grant(photos_, signed_in_, "openid");
  receiver_status_ = 503;
  ASSERT_TRUE(browser_->End(app_, signed_in_, store::RevokeReason::kLogout).ok());
  EXPECT_EQ(RunWorker(), 1);
  std::vector<store::Delivery> d = Deliveries();
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].state, store::DeliveryState::kPending);
  EXPECT_EQ(d[0].last_status, 503);
  EXPECT_EQ(d[0].next_attempt_at, clock_.NowMillis() + 10'000);  // the first back-off
  EXPECT_EQ(RunWorker(), 0);  // not due yet
  clock_.Advance(10'000);
  receiver_status_ = 204;
  EXPECT_EQ(RunWorker(), 1);
  d = Deliveries();
  EXPECT_EQ(d[0].state, store::DeliveryState::kDelivered);
  EXPECT_EQ(d[0].attempts, 2);
  // Two attempts, two tokens: each signed when sent, each with its own jti.
  std::vector<std::string> tokens = LogoutTokens();
  ASSERT_EQ(tokens.size(), 2u);
  EXPECT_NE(Str(Verified(tokens[0]), "jti"), Str(Verified(tokens[1]), "jti"));
  EXPECT_EQ(metrics_.delivery_failures.Value(), 1u);
}

TEST_F(BackchannelLogoutTest, AnUnreachableReceiverFailsForGoodAfterADay) {
  ClientRegistration r;
  r.name = "Gone";
  r.redirect_uris = {kConfidentialRedirect};
  r.backchannel_logout_uri = "http://127.0.0.1:9/nothing-listens-here";
  store::OAuthClient gone = Register(std::move(r));
  Grant(gone, signed_in_, "openid");
  ASSERT_TRUE(browser_->End(app_, signed_in_, store::RevokeReason::kLogout).ok());
  EXPECT_EQ(RunWorker(), 1);
  EXPECT_EQ(Deliveries()[0].state, store::DeliveryState::kPending);
  EXPECT_FALSE(Deliveries()[0].last_error.empty());
  clock_.Advance(25LL * 3600 * 1000);
  EXPECT_EQ(RunWorker(), 1);
  EXPECT_EQ(Deliveries()[0].state, store::DeliveryState::kFailed);
  EXPECT_EQ(RunWorker(), 0);
}

TEST_F(BackchannelLogoutTest, NothingIsSentWhileTheAppHasItOffOrOnceTheClientHasNoUri) {
  Grant(photos_, signed_in_, "openid");
  SetBackchannel(false);
  ASSERT_TRUE(browser_->End(app_, signed_in_, store::RevokeReason::kLogout).ok());
  EXPECT_EQ(RunWorker(), 1);
  EXPECT_EQ(Deliveries()[0].state, store::DeliveryState::kDropped);
  EXPECT_TRUE(LogoutTokens().empty());

  SetBackchannel(true);
  store::Session again = SignIn(user_).session;
  Grant(photos_, again, "openid");
  ClientUpdate no_uri;
  no_uri.backchannel_logout_uri = "";
  ASSERT_TRUE(clients_->Update(app_, photos_.client_id, no_uri, CliActor()).ok());
  ASSERT_TRUE(browser_->End(app_, again, store::RevokeReason::kLogout).ok());
  EXPECT_EQ(RunWorker(), 0);  // queued only for a client with a URI at the time
  EXPECT_TRUE(LogoutTokens().empty());
}

TEST_F(BackchannelLogoutTest, SigningInAgainKeepsTheGrantsAnotherUserEndsThem) {
  GrantedTokens t = Grant(photos_, signed_in_, "openid");
  store::Session same = SignIn(user_).session;  // prompt=login, in the same browser
  ASSERT_TRUE(browser_->Replace(app_, signed_in_, same).ok());
  EXPECT_TRUE(Active(t.access_token));
  EXPECT_EQ(RunWorker(), 0);

  store::User bob = SignUp("bob@example.com", "bob");
  store::Session bobs = SignIn(bob).session;
  ASSERT_TRUE(browser_->Replace(app_, same, bobs).ok());
  EXPECT_FALSE(Active(t.access_token));
  EXPECT_EQ(RunWorker(), 1);
  EXPECT_EQ(LogoutTokens().size(), 1u);
}

TEST_F(BackchannelLogoutTest, AnOfflineGrantOutlivesTheSignInButItsClientIsStillTold) {
  GrantedTokens t = Grant(photos_, signed_in_, "openid offline_access");
  ASSERT_TRUE(t.refresh_token);
  ASSERT_TRUE(browser_->End(app_, signed_in_, store::RevokeReason::kLogout).ok());
  EXPECT_EQ(RunWorker(), 1);
  EXPECT_EQ(LogoutTokens().size(), 1u);
  EXPECT_EQ(ErrorOf(Refresh(photos_, *t.refresh_token)), "ok");  // offline access goes on
}

TEST_F(BackchannelLogoutTest, AnAdminSignOutTellsEveryClientOfTheUser) {
  Grant(photos_, signed_in_, "openid");
  store::Session phone = SignIn(user_).session;
  Grant(photos_, phone, "openid");
  ASSERT_TRUE(store_->RevokeUserSessions(app_.id, user_.id, "", store::RevokeReason::kAdminLogout,
                                         clock_.NowMillis())
                  .ok());
  EXPECT_EQ(RunWorker(), 2);
  std::vector<std::string> tokens = LogoutTokens();
  ASSERT_EQ(tokens.size(), 2u);
  EXPECT_NE(Str(Verified(tokens[0]), "sid"), Str(Verified(tokens[1]), "sid"));
}

}  // namespace
}  // namespace tessera::services::testing_oauth
