// OAuthTokenService: introspection, revocation, userinfo and id_token_hint, and how an
// OAuth client's tokens meet the account API.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "tests/support/oauth_fixture.h"

namespace tessera::services {
namespace {

using namespace testing_oauth;
namespace json = boost::json;

class OAuthTokenServiceTest : public OAuthFixture {};

TEST_F(OAuthTokenServiceTest, IntrospectDescribesActiveTokens) {
  store::User u = SignUp("ada@example.com");
  StartedBrowserSession b = SignIn(u);
  store::OAuthClient c = Confidential();
  GrantedTokens t = Grant(c, b.session, "openid email offline_access");

  json::object at = oauth_tokens_->Introspect(app_, c, t.access_token, "access_token").value();
  EXPECT_EQ(at.at("active"), json::value(true));
  EXPECT_EQ(Str(at, "client_id"), c.client_id);
  EXPECT_EQ(Str(at, "sub"), u.id);
  EXPECT_EQ(Str(at, "scope"), "openid email offline_access");
  EXPECT_EQ(Str(at, "token_type"), "Bearer");
  EXPECT_EQ(Str(at, "iss"), issuer_);
  EXPECT_EQ(at.at("iat").to_number<int64_t>(), kStart / 1000);
  EXPECT_EQ(at.at("exp").to_number<int64_t>(), kStart / 1000 + 600);
  EXPECT_EQ(Str(at, "sid"), Str(Payload(t.access_token), "sid"));

  // The hint does not matter.
  json::object rt = oauth_tokens_->Introspect(app_, c, *t.refresh_token, "access_token").value();
  EXPECT_EQ(rt.at("active"), json::value(true));
  EXPECT_EQ(Str(rt, "client_id"), c.client_id);
  EXPECT_EQ(Str(rt, "sub"), u.id);
  EXPECT_EQ(Str(rt, "scope"), "openid email offline_access");
  EXPECT_EQ(Str(rt, "sid"), Str(at, "sid"));
  EXPECT_EQ(rt.at("exp").to_number<int64_t>(), kStart / 1000 + 3600);

  // Account-API tokens introspect too.
  SignUp("bob@example.com");
  auto login = sessions_->Login(app_, "bob@example.com", kPassword, client_).value();
  EXPECT_TRUE(Active(login.access_token));
  store::OAuthClient account_api;  // what holds the account API's refresh tokens (client_id "")
  EXPECT_EQ(Str(oauth_tokens_->Introspect(app_, account_api, login.refresh_token, "").value(),
                "client_id"),
            "account-api");

  // Expired access token.
  clock_.Advance(601'000 + 30'000);
  EXPECT_FALSE(Active(t.access_token));
}

TEST_F(OAuthTokenServiceTest, IntrospectReportsAnythingElseAsInactive) {
  store::User u = SignUp("ada@example.com");
  StartedBrowserSession b = SignIn(u);
  store::OAuthClient c = Confidential();
  GrantedTokens t = Grant(c, b.session, "openid offline_access");

  for (const std::string& junk : std::vector<std::string>{"", "garbage", "a.b.c", "tsr_unknown", "tac_x", "tbs_x",
                           std::string(5000, 'a'), t.access_token + "x",
                           "tsr_" + std::string(300, 'a')}) {
    auto r = oauth_tokens_->Introspect(app_, c, junk, "");
    ASSERT_TRUE(r.ok()) << junk;
    EXPECT_EQ(*r, (json::object{{"active", false}})) << junk;  // and nothing else
  }

  // Another app's view: neither token exists there.
  store::App other = apps_->Create("other", "Other").value();
  EXPECT_FALSE(Active(t.access_token, &other));
  EXPECT_FALSE(Active(*t.refresh_token, &other));
  EXPECT_TRUE(Active(t.access_token));

  // A token of a user of the other app, shown here.
  store::User ou = SignUp("ada@example.com", std::nullopt, &other);
  auto ob = browser_->Start(other, ou, client_).value();
  ClientRegistration r;
  r.name = "Other photos";
  r.redirect_uris = {kConfidentialRedirect};
  store::OAuthClient oc = Register(std::move(r), &other);
  Params p = BaseParams(oc, "openid offline_access");
  AuthorizeVerdict verdict = authz_->Validate(other, p);
  ASSERT_TRUE(verdict.ok());
  std::string code = authz_->IssueCode(other, *verdict, ob.session).value();
  auto ot = Exchange(oc, code, p["redirect_uri"], std::nullopt, &other);
  ASSERT_TRUE(ot.ok()) << ErrorOf(ot);
  EXPECT_TRUE(Active(ot->access_token, &other));
  EXPECT_FALSE(Active(ot->access_token));
  EXPECT_FALSE(Active(*ot->refresh_token));
  EXPECT_EQ(oauth_tokens_->UserInfo(app_, ot->access_token).status().code(), StatusCode::kUnauthenticated);

  // A revoked grant.
  ASSERT_TRUE(store_->RevokeSessionById(app_.id, Str(Payload(t.access_token), "sid"),
                                        store::RevokeReason::kTokenRevoked, clock_.NowMillis())
                  .ok());
  EXPECT_FALSE(Active(t.access_token));
  EXPECT_FALSE(Active(*t.refresh_token));
}

TEST_F(OAuthTokenServiceTest, RevokeEndsTheGrantOfItsOwnClientOnly) {
  store::User u = SignUp("ada@example.com");
  StartedBrowserSession b = SignIn(u);
  store::OAuthClient a = Confidential("A");
  store::OAuthClient other = Confidential("B");

  // A refresh token: its grant ends (its access tokens too).
  GrantedTokens t1 = Grant(a, b.session, "openid offline_access");
  EXPECT_TRUE(oauth_tokens_->Revoke(app_, other, *t1.refresh_token).ok());  // ignored
  EXPECT_TRUE(oauth_tokens_->Revoke(app_, other, t1.access_token).ok());    // ignored
  EXPECT_TRUE(Active(*t1.refresh_token));
  EXPECT_TRUE(Active(t1.access_token));
  ASSERT_TRUE(oauth_tokens_->Revoke(app_, a, *t1.refresh_token).ok());
  EXPECT_FALSE(Active(*t1.refresh_token));
  EXPECT_FALSE(Active(t1.access_token));
  EXPECT_TRUE(oauth_tokens_->Revoke(app_, a, *t1.refresh_token).ok());  // again: fine

  // An access token: the whole grant ends.
  GrantedTokens t2 = Grant(a, b.session, "openid offline_access");
  ASSERT_TRUE(oauth_tokens_->Revoke(app_, a, t2.access_token).ok());
  EXPECT_FALSE(Active(t2.access_token));
  EXPECT_FALSE(Active(*t2.refresh_token));
  EXPECT_EQ(ErrorOf(Refresh(a, *t2.refresh_token)),
            "invalid_grant");

  // Unknown and malformed tokens are ignored.
  for (const std::string& junk : std::vector<std::string>{"", "garbage", "tsr_unknown", "a.b.c"}) {
    EXPECT_TRUE(oauth_tokens_->Revoke(app_, a, junk).ok()) << junk;
  }
  // Other grants of the same client survive; so does the browser session.
  GrantedTokens t3 = Grant(a, b.session, "openid offline_access");
  GrantedTokens t4 = Grant(a, b.session, "openid offline_access");
  ASSERT_TRUE(oauth_tokens_->Revoke(app_, a, *t3.refresh_token).ok());
  EXPECT_TRUE(Active(*t4.refresh_token));
  EXPECT_TRUE(browser_->Resolve(app_, b.cookie_value).ok());

  // An account-API token cannot be revoked by a client.
  SignUp("bob@example.com");
  auto login = sessions_->Login(app_, "bob@example.com", kPassword, client_).value();
  EXPECT_TRUE(oauth_tokens_->Revoke(app_, a, login.refresh_token).ok());
  EXPECT_TRUE(oauth_tokens_->Revoke(app_, a, login.access_token).ok());
  EXPECT_TRUE(Active(login.refresh_token));
  EXPECT_TRUE(Active(login.access_token));
}

// Issue 12: a client sees only the tokens issued to it; a resource server of the app also every
// access token (never another client's refresh token, nor the account API's).
TEST_F(OAuthTokenServiceTest, IntrospectionShowsAClientOnlyItsOwnTokens) {
  store::User u = SignUp("ada@example.com");
  StartedBrowserSession b = SignIn(u);
  store::OAuthClient a = Confidential("A");
  store::OAuthClient other = Confidential("B");
  ClientRegistration rs;
  rs.name = "Notes API";
  rs.grant_types = {"client_credentials"};
  rs.resource_server = true;
  store::OAuthClient api = Register(std::move(rs));
  GrantedTokens t = Grant(a, b.session, "openid offline_access");
  auto login = sessions_->Login(app_, "ada@example.com", kPassword, client_).value();
  auto active = [&](const store::OAuthClient& caller, std::string_view token) {
    json::object r = oauth_tokens_->Introspect(app_, caller, token, "").value();
    if (r.at("active") != json::value(true)) {
      EXPECT_EQ(r, (json::object{{"active", false}}));
    }
    return r.at("active") == json::value(true);
  };
  EXPECT_TRUE(active(a, t.access_token));
  EXPECT_TRUE(active(a, *t.refresh_token));
  EXPECT_FALSE(active(other, t.access_token));
  EXPECT_FALSE(active(other, *t.refresh_token));
  EXPECT_TRUE(active(api, t.access_token));
  EXPECT_FALSE(active(api, *t.refresh_token));
  for (const auto* caller : {&a, &other, &api}) {
    EXPECT_FALSE(active(*caller, login.refresh_token)) << caller->name;
  }
  EXPECT_TRUE(active(api, login.access_token));  // an access token of the app's own API
  EXPECT_FALSE(active(a, login.access_token));
}

// Issue 12: revoking an access token makes it inactive at once, even one with no grant behind
// it (client_credentials), where ending a session cannot reach it.
TEST_F(OAuthTokenServiceTest, ARevokedClientCredentialsTokenIsInactiveAtOnce) {
  store::OAuthClient c = Confidential();
  auto cc = tokens_->Issue({issuer_, issuer_, c.client_id, c.client_id, "notes:read", "", 0});
  auto cc2 = tokens_->Issue({issuer_, issuer_, c.client_id, c.client_id, "notes:read", "", 0});
  ASSERT_TRUE(cc.ok() && cc2.ok());
  EXPECT_TRUE(Active(cc->token));
  store::OAuthClient other = Confidential("B");
  ASSERT_TRUE(oauth_tokens_->Revoke(app_, other, cc->token).ok());  // not its token: ignored
  EXPECT_TRUE(Active(cc->token));
  ASSERT_TRUE(oauth_tokens_->Revoke(app_, c, cc->token).ok());
  EXPECT_FALSE(Active(cc->token));
  EXPECT_TRUE(Active(cc2->token));  // only that token
  ASSERT_TRUE(oauth_tokens_->Revoke(app_, c, cc->token).ok());  // again: still fine
  auto listed = store_->IsAccessTokenRevoked(app_.id, Str(Payload(cc->token), "jti"));
  ASSERT_TRUE(listed.ok());
  EXPECT_TRUE(*listed);
}

// Issue 12: revoking a client ends its grants and its own tokens; rotating its secret does not.
TEST_F(OAuthTokenServiceTest, RevokingAClientEndsItsGrantsButRotatingItsSecretDoesNot) {
  store::User u = SignUp("ada@example.com");
  StartedBrowserSession b = SignIn(u);
  store::OAuthClient c = Confidential("A");
  store::OAuthClient kept = Confidential("B");
  GrantedTokens t = Grant(c, b.session, "openid offline_access");
  GrantedTokens k = Grant(kept, b.session, "openid offline_access");
  auto cc = tokens_->Issue({issuer_, issuer_, c.client_id, c.client_id, "notes:read", "", 0});
  ASSERT_TRUE(cc.ok());

  ASSERT_TRUE(clients_->RotateSecret(app_, c.client_id, CliActor()).ok());
  EXPECT_TRUE(Active(t.access_token));
  EXPECT_TRUE(Active(*t.refresh_token));
  EXPECT_TRUE(oauth_tokens_->UserInfo(app_, t.access_token).ok());

  ASSERT_TRUE(clients_->Revoke(app_, c.client_id, CliActor()).ok());
  EXPECT_FALSE(Active(t.access_token));
  EXPECT_FALSE(Active(*t.refresh_token));
  EXPECT_FALSE(Active(cc->token));
  EXPECT_EQ(oauth_tokens_->UserInfo(app_, t.access_token).status().code(),
            StatusCode::kUnauthenticated);
  EXPECT_TRUE(Active(k.access_token));  // another client's grant lives on
  EXPECT_TRUE(Active(*k.refresh_token));
  EXPECT_TRUE(browser_->Resolve(app_, b.cookie_value).ok());
}

TEST_F(OAuthTokenServiceTest, UserInfoReleasesClaimsByScope) {
  store::User u = SignUp("ada@example.com", "ada");
  StartedBrowserSession b = SignIn(u);
  store::OAuthClient c = Confidential();

  json::object only = oauth_tokens_->UserInfo(app_, Grant(c, b.session, "openid").access_token).value();
  EXPECT_EQ(only, (json::object{{"sub", u.id}}));

  json::object email = oauth_tokens_->UserInfo(app_, Grant(c, b.session, "openid email").access_token).value();
  EXPECT_EQ(Str(email, "sub"), u.id);
  EXPECT_EQ(Str(email, "email"), "ada@example.com");
  EXPECT_EQ(email.at("email_verified"), json::value(false));
  EXPECT_FALSE(email.contains("preferred_username"));
  EXPECT_FALSE(email.contains("name"));

  GrantedTokens pt = Grant(c, b.session, "openid profile");
  json::object profile = oauth_tokens_->UserInfo(app_, pt.access_token).value();
  EXPECT_EQ(Str(profile, "preferred_username"), "ada");
  EXPECT_EQ(Str(profile, "name"), "Ada Lovelace");
  EXPECT_EQ(Str(profile, "locale"), "en-GB");
  EXPECT_TRUE(profile.contains("updated_at"));
  EXPECT_FALSE(profile.contains("email"));
  // The ID token says the same.
  json::object id = Payload(*pt.id_token);
  for (auto name : {"sub", "preferred_username", "name", "locale"}) {
    EXPECT_EQ(Str(id, name), Str(profile, name)) << name;
  }
}

TEST_F(OAuthTokenServiceTest, UserInfoNeedsAUsersOpenIdToken) {
  store::User u = SignUp("ada@example.com");
  StartedBrowserSession b = SignIn(u);
  store::OAuthClient c = Confidential();

  GrantedTokens no_openid = Grant(c, b.session, "profile email");
  EXPECT_EQ(oauth_tokens_->UserInfo(app_, no_openid.access_token).status().code(),
            StatusCode::kPermissionDenied);

  // A client-credentials token: no user, no session.
  auto cc = tokens_->Issue({issuer_, issuer_, c.client_id, c.client_id, "openid", "", 0});
  ASSERT_TRUE(cc.ok());
  EXPECT_EQ(oauth_tokens_->UserInfo(app_, cc->token).status().code(), StatusCode::kUnauthenticated);

  // An account-API token has no openid scope.
  auto login = sessions_->Login(app_, "ada@example.com", kPassword, client_).value();
  EXPECT_NE(oauth_tokens_->UserInfo(app_, login.access_token).status().code(), StatusCode::kOk);

  for (const std::string& junk : std::vector<std::string>{"", "garbage", "a.b.c"}) {
    EXPECT_EQ(oauth_tokens_->UserInfo(app_, junk).status().code(), StatusCode::kUnauthenticated) << junk;
  }
  GrantedTokens t = Grant(c, b.session, "openid");
  clock_.Advance(631'000);  // expired (600 s + 30 s leeway)
  EXPECT_EQ(oauth_tokens_->UserInfo(app_, t.access_token).status().code(), StatusCode::kUnauthenticated);
}

TEST_F(OAuthTokenServiceTest, VerifyIdTokenHint) {
  store::User u = SignUp("ada@example.com");
  StartedBrowserSession b = SignIn(u);
  store::OAuthClient c = Confidential();
  GrantedTokens t = Grant(c, b.session, "openid");
  ASSERT_TRUE(t.id_token);

  auto hint = oauth_tokens_->VerifyIdTokenHint(app_, *t.id_token);
  ASSERT_TRUE(hint.ok()) << hint.status().ToString();
  EXPECT_EQ(hint->subject, u.id);
  EXPECT_EQ(hint->client_id, c.client_id);
  EXPECT_EQ(hint->session_id, Str(Payload(t.access_token), "sid"));

  clock_.Advance(2 * 3600 * 1000);  // long expired (id_token_ttl_s = 3600): still a good hint
  EXPECT_TRUE(oauth_tokens_->VerifyIdTokenHint(app_, *t.id_token).ok());

  // Tampered payload: same header and signature, another subject.
  std::string token = *t.id_token;
  size_t a = token.find('.'), z = token.rfind('.');
  json::object claims = Payload(token);
  claims["sub"] = "someone-else";
  std::string forged = token.substr(0, a + 1) +
                       crypto::Base64UrlEncode(json::serialize(claims)) + token.substr(z);
  EXPECT_FALSE(oauth_tokens_->VerifyIdTokenHint(app_, forged).ok());
  // Tampered signature.
  std::string bad_sig = token;
  bad_sig[z + 5] = bad_sig[z + 5] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(oauth_tokens_->VerifyIdTokenHint(app_, bad_sig).ok());
  EXPECT_FALSE(oauth_tokens_->VerifyIdTokenHint(app_, token.substr(0, z)).ok());
  EXPECT_FALSE(oauth_tokens_->VerifyIdTokenHint(app_, "garbage").ok());

  // Another app's issuer (the signing keys are shared, the issuer is not).
  store::App other = apps_->Create("other", "Other").value();
  EXPECT_FALSE(oauth_tokens_->VerifyIdTokenHint(other, *t.id_token).ok());

  // An access token is not an ID token.
  EXPECT_FALSE(oauth_tokens_->VerifyIdTokenHint(app_, t.access_token).ok());
}

TEST_F(OAuthTokenServiceTest, OAuthAccessTokensDoNotOpenTheAccountApi) {
  store::User u = SignUp("ada@example.com");
  StartedBrowserSession b = SignIn(u);
  store::OAuthClient c = Confidential();
  GrantedTokens t = Grant(c, b.session, "openid profile");
  EXPECT_EQ(auth_->Authenticate(app_, "Bearer " + t.access_token).status().code(),
            StatusCode::kUnauthenticated);

  auto login = sessions_->Login(app_, "ada@example.com", kPassword, client_).value();
  auto p = auth_->Authenticate(app_, "Bearer " + login.access_token);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->user.id, u.id);
}

}  // namespace
}  // namespace tessera::services
