// grant_type=urn:ietf:params:oauth:grant-type:token-exchange (TokenExchangeGrant, RFC 8693):
// a user's token traded for one meant for another service — the audience the client's policy
// allows, never more scope, never a longer life, dying with the user's grant — with act for
// an actor (nested for a chain), and every refusal the RFC's §2.2.2 names.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "tests/support/oauth_fixture.h"

namespace tessera::services {
namespace {

using namespace testing_oauth;
namespace json = boost::json;

constexpr char kApi[] = "https://api.example.com";
constexpr char kBilling[] = "https://billing.example.com";

class TokenExchangeGrantTest : public OAuthFixture {
 protected:
  void SetUp() override {
    OAuthFixture::SetUp();
    app_.settings.token_exchange = true;
    user_ = SignUp("ada@example.com", "ada");
    browser_session_ = SignIn(user_).session;
    web_ = Confidential("Photos");
    subject_ = Grant(web_, browser_session_, "openid profile email").access_token;
  }

  // The service that received the user's token and calls others for them.
  store::OAuthClient Gateway(std::vector<std::string> audiences = {kApi, kBilling}) {
    ClientRegistration r;
    r.name = "Gateway";
    r.grant_types = {std::string(kTokenExchangeGrantType), "client_credentials"};
    r.scopes = {"gateway"};
    r.token_exchange_audiences = std::move(audiences);
    return Register(std::move(r));
  }

  OAuthResult<GrantedTokens> Exchange(const store::OAuthClient& c,
                                      std::map<std::string, std::optional<std::string>> form) {
    form.try_emplace("subject_token", subject_);
    form.try_emplace("subject_token_type", std::string(kAccessTokenType));
    return RunGrant(*token_exchange_grant_, c, form);
  }

  store::User user_;
  store::Session browser_session_;
  store::OAuthClient web_;
  std::string subject_;
};

TEST_F(TokenExchangeGrantTest, AUsersTokenBecomesOneForAnotherServiceWithNoMore) {
  store::OAuthClient gw = Gateway();
  clock_.Advance(100'000);
  auto t = Exchange(gw, {{"audience", kApi}, {"scope", "profile"}});
  ASSERT_TRUE(t.ok()) << ErrorOf(t) << ": " << (t.ok() ? "" : t.error().description);
  EXPECT_EQ(t->issued_token_type, std::string(kAccessTokenType));
  EXPECT_EQ(t->scope, "profile");
  EXPECT_FALSE(t->refresh_token);
  EXPECT_FALSE(t->id_token);
  json::object at = Payload(t->access_token);
  json::object was = Payload(subject_);
  EXPECT_EQ(Str(at, "aud"), kApi);
  EXPECT_EQ(Str(at, "sub"), user_.id);
  EXPECT_EQ(Str(at, "client_id"), gw.client_id);
  EXPECT_EQ(Str(at, "sid"), Str(was, "sid"));
  EXPECT_FALSE(at.contains("act"));
  // Never outlives the token it came from.
  EXPECT_LE(at.at("exp").as_int64(), was.at("exp").as_int64());
  EXPECT_EQ(t->expires_in, 600 - 100);
  // Introspection shows the audience; the account API (aud = issuer) does not take it.
  EXPECT_TRUE(Active(t->access_token));
  EXPECT_EQ(oauth_tokens_->UserInfo(app_, t->access_token).status().code(), StatusCode::kUnauthenticated);
  // It dies with the user's grant.
  ASSERT_TRUE(authz_->RevokeAuthorization(app_, user_.id, web_.client_id).ok());
  EXPECT_FALSE(Active(t->access_token));
  EXPECT_EQ(ErrorOf(Exchange(gw, {{"audience", kApi}})), "invalid_request");
}

TEST_F(TokenExchangeGrantTest, TheClientsPolicyNamesTheServicesItMayAskFor) {
  store::OAuthClient gw = Gateway();
  EXPECT_EQ(ErrorOf(Exchange(gw, {{"audience", "https://evil.example.com"}})), "invalid_target");
  EXPECT_EQ(ErrorOf(Exchange(gw, {{"resource", "https://evil.example.com"}})), "invalid_target");
  EXPECT_TRUE(Exchange(gw, {{"resource", kBilling}}).ok());
  EXPECT_TRUE(Exchange(gw, {{"audience", kApi}, {"resource", kApi}}).ok());
  EXPECT_EQ(ErrorOf(Exchange(gw, {{"audience", kApi}, {"resource", kBilling}})), "invalid_request");
  EXPECT_EQ(ErrorOf(Exchange(gw, {})), "invalid_request");  // two allowed: name one
  store::OAuthClient single = Gateway({kBilling});
  auto t = Exchange(single, {});
  ASSERT_TRUE(t.ok()) << ErrorOf(t);
  EXPECT_EQ(Str(Payload(t->access_token), "aud"), kBilling);
  EXPECT_EQ(ErrorOf(Exchange(Gateway({}), {{"audience", kApi}})), "invalid_target");
}

TEST_F(TokenExchangeGrantTest, NeverMoreScopeThanTheSubjectTokenHad) {
  store::OAuthClient gw = Gateway();
  EXPECT_EQ(ErrorOf(Exchange(gw, {{"audience", kApi}, {"scope", "openid offline_access"}})), "invalid_scope");
  EXPECT_EQ(ErrorOf(Exchange(gw, {{"audience", kApi}, {"scope", "gateway"}})), "invalid_scope");
  auto all = Exchange(gw, {{"audience", kApi}});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->scope, "openid profile email");
}

TEST_F(TokenExchangeGrantTest, AnActorIsNamedInActAndAChainNests) {
  store::OAuthClient gw = Gateway();
  auto own = RunGrant(*client_credentials_grant_, gw, {{"scope", std::string("gateway")}});
  ASSERT_TRUE(own.ok()) << ErrorOf(own);
  auto t = Exchange(gw, {{"audience", kApi},
                         {"actor_token", own->access_token},
                         {"actor_token_type", std::string(kAccessTokenType)}});
  ASSERT_TRUE(t.ok()) << ErrorOf(t) << ": " << (t.ok() ? "" : t.error().description);
  json::object at = Payload(t->access_token);
  ASSERT_TRUE(at.contains("act"));
  EXPECT_EQ(Str(at.at("act").as_object(), "sub"), gw.client_id);
  // The API, in turn, exchanges what it received for the billing service, acting itself.
  store::OAuthClient api = Gateway({kBilling});
  auto api_own = RunGrant(*client_credentials_grant_, api, {{"scope", std::string("gateway")}});
  ASSERT_TRUE(api_own.ok());
  auto chained = RunGrant(*token_exchange_grant_, api,
                          {{"subject_token", t->access_token},
                           {"subject_token_type", std::string(kAccessTokenType)},
                           {"actor_token", api_own->access_token},
                           {"actor_token_type", std::string(kAccessTokenType)}});
  ASSERT_TRUE(chained.ok()) << ErrorOf(chained) << ": " << (chained.ok() ? "" : chained.error().description);
  json::object act = Payload(chained->access_token).at("act").as_object();
  EXPECT_EQ(Str(act, "sub"), api.client_id);
  ASSERT_TRUE(act.contains("act"));
  EXPECT_EQ(Str(act.at("act").as_object(), "sub"), gw.client_id);
  EXPECT_EQ(Str(Payload(chained->access_token), "sub"), user_.id);
}

TEST_F(TokenExchangeGrantTest, BadSubjectAndActorTokensAndTypesAreInvalidRequests) {
  store::OAuthClient gw = Gateway();
  auto own = RunGrant(*client_credentials_grant_, gw, {{"scope", std::string("gateway")}});
  ASSERT_TRUE(own.ok());
  std::string forged = subject_.substr(0, subject_.size() - 6) + "AAAAAA";
  for (auto [what, form] : std::vector<std::pair<std::string, std::map<std::string, std::optional<std::string>>>>{
           {"no subject_token", {{"subject_token", ""}}},
           {"no subject_token_type", {{"subject_token_type", std::nullopt}}},
           {"an id_token type", {{"subject_token_type", "urn:ietf:params:oauth:token-type:id_token"}}},
           {"a refresh token type", {{"requested_token_type", "urn:ietf:params:oauth:token-type:refresh_token"}}},
           {"a forged token", {{"subject_token", forged}}},
           {"not a JWT", {{"subject_token", "tsr_abc"}}},
           {"a client's own token", {{"subject_token", own->access_token}}},
           {"actor type without actor", {{"actor_token_type", std::string(kAccessTokenType)}}},
           {"actor without type", {{"actor_token", own->access_token}}},
           {"a forged actor", {{"actor_token", forged}, {"actor_token_type", std::string(kAccessTokenType)}}},
       }) {
    form["audience"] = kApi;
    EXPECT_EQ(ErrorOf(Exchange(gw, form)), "invalid_request") << what;
  }
  // Expired.
  clock_.Advance(700'000);
  EXPECT_EQ(ErrorOf(Exchange(gw, {{"audience", kApi}})), "invalid_request");
}

TEST_F(TokenExchangeGrantTest, OffForTheAppItIsNotOffered) {
  store::OAuthClient gw = Gateway();
  store::App off = app_;
  off.settings.token_exchange = false;
  EXPECT_EQ(grant_types_->For(off, gw, kTokenExchangeGrantType).error().code, "unsupported_grant_type");
  EXPECT_TRUE(grant_types_->For(app_, gw, kTokenExchangeGrantType).ok());
  EXPECT_EQ(grant_types_->For(app_, web_, kTokenExchangeGrantType).error().code, "unauthorized_client");
  // A public client's id is no secret: it may not trade users' tokens.
  ClientRegistration pub;
  pub.name = "Browser app";
  pub.is_public = true;
  pub.grant_types = {std::string(kTokenExchangeGrantType)};
  pub.token_exchange_audiences = {kApi};
  auto refused = clients_->Register(app_, pub);
  ASSERT_FALSE(refused.ok());
  bool named = false;
  for (const auto& e : refused.status().field_errors()) {
    named |= e.field == "grant_types" && e.message == "a public client cannot use token exchange";
  }
  EXPECT_TRUE(named) << refused.status().ToString();
}

}  // namespace
}  // namespace tessera::services
