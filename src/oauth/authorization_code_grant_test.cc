// grant_type=authorization_code (AuthorizationCodeGrant): the tokens and the ID token of an
// exchange, and every way a code is refused — expired, replayed (the first exchange's
// tokens die), another client's, redirect_uri not repeated, PKCE, a disabled user.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "tests/support/oauth_fixture.h"

namespace tessera::services {
namespace {

using namespace testing_oauth;
namespace json = boost::json;

class AuthorizationCodeGrantTest : public OAuthFixture {};

TEST_F(AuthorizationCodeGrantTest, CodeExchangeIssuesAccessIdAndRefreshTokens) {
  store::User u = SignUp("ada@example.com", "ada");
  StartedBrowserSession b = SignIn(u);
  clock_.Advance(5'000);  // auth_time is the sign-in, not the exchange
  store::OAuthClient c = Confidential();
  Params p = BaseParams(c, "openid profile email offline_access");
  std::string code = Code(p, b.session);
  EXPECT_EQ(code.rfind("tac_", 0), 0u);
  clock_.Advance(2'000);
  auto t = Exchange(c, code, p["redirect_uri"], std::nullopt);
  ASSERT_TRUE(t.ok()) << ErrorOf(t);
  EXPECT_EQ(t->scope, "openid profile email offline_access");
  EXPECT_EQ(t->expires_in, 600);
  ASSERT_TRUE(t->refresh_token);
  EXPECT_EQ(t->refresh_token->rfind("tsr_", 0), 0u);
  ASSERT_TRUE(t->id_token);

  json::object at = Payload(t->access_token);
  EXPECT_EQ(Str(at, "iss"), issuer_);
  EXPECT_EQ(Str(at, "aud"), issuer_);
  EXPECT_EQ(Str(at, "sub"), u.id);
  EXPECT_EQ(Str(at, "client_id"), c.client_id);
  EXPECT_EQ(Str(at, "scope"), "openid profile email offline_access");
  EXPECT_EQ(Str(JwtPart(t->access_token, 0), "typ"), "at+jwt");

  json::object header = JwtPart(*t->id_token, 0);
  EXPECT_EQ(Str(header, "typ"), "JWT");
  EXPECT_EQ(Str(header, "alg"), "RS256");  // the client registered none: the OIDC default
  EXPECT_EQ(Str(JwtPart(t->access_token, 0), "alg"), "ES256");
  json::object id = Payload(*t->id_token);
  EXPECT_EQ(Str(id, "iss"), issuer_);
  EXPECT_EQ(Str(id, "aud"), c.client_id);
  EXPECT_EQ(Str(id, "azp"), c.client_id);
  EXPECT_EQ(Str(id, "sub"), u.id);
  EXPECT_EQ(Str(id, "nonce"), "n-0S6_WzA2Mj");
  EXPECT_EQ(id.at("auth_time").to_number<int64_t>(), kStart / 1000);
  EXPECT_EQ(id.at("iat").to_number<int64_t>(), kStart / 1000 + 7);
  EXPECT_EQ(id.at("exp").to_number<int64_t>(), kStart / 1000 + 7 + 3600);
  EXPECT_EQ(Str(id, "sid"), Str(at, "sid"));
  EXPECT_FALSE(Str(id, "sid").empty());
  EXPECT_NE(Str(id, "sid"), b.session.id);  // the grant's session, not the browser's
  std::string digest = crypto::Sha256(t->access_token);
  EXPECT_EQ(Str(id, "at_hash"), crypto::Base64UrlEncode(digest.substr(0, 16)));
  EXPECT_EQ(Str(id, "email"), "ada@example.com");
  EXPECT_EQ(id.at("email_verified"), json::value(false));
  EXPECT_EQ(Str(id, "preferred_username"), "ada");
  EXPECT_EQ(Str(id, "name"), "Ada Lovelace");

  // The grant is an "oauth" session of the client with the granted scope.
  store::Session s = store_->GetSession(app_.id, Str(id, "sid")).value();
  EXPECT_EQ(s.kind, store::SessionKind::kOAuth);
  EXPECT_EQ(s.client_id, c.client_id);
  EXPECT_EQ(s.scope, "openid profile email offline_access");
  EXPECT_EQ(s.auth_time, kStart);
}

TEST_F(AuthorizationCodeGrantTest, TokensFollowTheScopes) {
  store::User u = SignUp("ada@example.com", "ada");
  StartedBrowserSession b = SignIn(u);
  store::OAuthClient c = Confidential();

  GrantedTokens t = Grant(c, b.session, "openid profile");
  ASSERT_TRUE(t.id_token);
  EXPECT_FALSE(t.refresh_token);  // no offline_access
  json::object id = Payload(*t.id_token);
  EXPECT_FALSE(id.contains("email"));
  EXPECT_FALSE(id.contains("email_verified"));
  EXPECT_EQ(Str(id, "preferred_username"), "ada");

  GrantedTokens e = Grant(c, b.session, "openid email");
  id = Payload(*e.id_token);
  EXPECT_EQ(Str(id, "email"), "ada@example.com");
  EXPECT_FALSE(id.contains("preferred_username"));
  EXPECT_FALSE(id.contains("name"));

  Params no_nonce = BaseParams(c, "openid");
  no_nonce.erase("nonce");
  std::string code = Code(no_nonce, b.session);
  auto n = Exchange(c, code, no_nonce["redirect_uri"], std::nullopt);
  ASSERT_TRUE(n.ok());
  EXPECT_FALSE(Payload(*n->id_token).contains("nonce"));

  GrantedTokens plain = Grant(c, b.session, "profile");
  EXPECT_FALSE(plain.id_token);  // not an OpenID request
  EXPECT_FALSE(plain.access_token.empty());

  // offline_access without the refresh_token grant: no refresh token.
  ClientRegistration r;
  r.name = "No refresh";
  r.redirect_uris = {kConfidentialRedirect};
  r.grant_types = {"authorization_code"};
  r.scopes = {"openid", "offline_access"};
  store::OAuthClient nr = Register(std::move(r));
  GrantedTokens t2 = Grant(nr, b.session, "openid offline_access");
  EXPECT_FALSE(t2.refresh_token);
}

TEST_F(AuthorizationCodeGrantTest, CodeExpiresAfterItsLifetime) {
  store::User u = SignUp("ada@example.com");
  StartedBrowserSession b = SignIn(u);
  store::OAuthClient c = Confidential();
  Params p = BaseParams(c);
  std::string code = Code(p, b.session);
  clock_.Advance(61'000);
  EXPECT_EQ(ErrorOf(Exchange(c, code, p["redirect_uri"], std::nullopt)),
            "invalid_grant");

  std::string fresh = Code(p, b.session);
  clock_.Advance(59'000);
  EXPECT_TRUE(Exchange(c, fresh, p["redirect_uri"], std::nullopt).ok());
}

TEST_F(AuthorizationCodeGrantTest, MalformedOrUnknownCodes) {
  store::OAuthClient c = Confidential();
  EXPECT_EQ(ErrorOf(Exchange(c, "", std::nullopt, std::nullopt)),
            "invalid_request");
  for (const std::string& code : std::vector<std::string>{"garbage", "tac_unknown", "tsr_" + std::string(43, 'a'),
                           "tac_" + std::string(200, 'a')}) {
    EXPECT_EQ(ErrorOf(Exchange(c, code, std::nullopt, std::nullopt)),
              "invalid_grant")
        << code;
  }
}

TEST_F(AuthorizationCodeGrantTest, ReplayedCodeFailsAndRevokesWhatTheFirstExchangeIssued) {
  store::User u = SignUp("ada@example.com");
  StartedBrowserSession b = SignIn(u);
  store::OAuthClient c = Confidential();
  Params p = BaseParams(c, "openid offline_access");
  std::string code = Code(p, b.session);
  auto first = Exchange(c, code, p["redirect_uri"], std::nullopt);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(first->refresh_token);
  ASSERT_TRUE(Active(first->access_token));
  ASSERT_TRUE(oauth_tokens_->UserInfo(app_, first->access_token).ok());

  auto second = Exchange(c, code, p["redirect_uri"], std::nullopt);
  EXPECT_EQ(ErrorOf(second), "invalid_grant");

  EXPECT_FALSE(Active(first->access_token));
  EXPECT_FALSE(Active(*first->refresh_token));
  EXPECT_EQ(oauth_tokens_->UserInfo(app_, first->access_token).status().code(),
            StatusCode::kUnauthenticated);
  EXPECT_EQ(ErrorOf(Refresh(c, *first->refresh_token)),
            "invalid_grant");
  // Still reported as a replay later, after the code has expired.
  clock_.Advance(120'000);
  EXPECT_EQ(ErrorOf(Exchange(c, code, p["redirect_uri"], std::nullopt)),
            "invalid_grant");
}

// The replay may be served before the first exchange has stored its grant (two requests
// with one code at the same moment): the first exchange must then fail rather than issue
// tokens the replay could not revoke.
TEST_F(AuthorizationCodeGrantTest, ReplayThatWinsTheRaceLeavesTheFirstExchangeNothing) {
  store::User u = SignUp("race@example.com");
  StartedBrowserSession b = SignIn(u);
  store::OAuthClient c = Confidential();
  Params p = BaseParams(c, "openid offline_access");
  std::string code = Code(p, b.session);
  // The first exchange has redeemed the code but not yet created its session…
  auto redeemed = store_->RedeemAuthorizationCode(app_.id, crypto::TokenHash(code),
                                                  clock_.NowMillis());
  ASSERT_TRUE(redeemed.ok());
  ASSERT_EQ(redeemed->outcome, store::CodeOutcome::kConsumed);
  // …when the replay arrives.
  auto replay = Exchange(c, code, p["redirect_uri"], std::nullopt);
  EXPECT_EQ(ErrorOf(replay), "invalid_grant");
  // The session id the first exchange would use is taken by a revoked tombstone.
  store::Session grant;
  grant.id = redeemed->code->session_id;
  grant.app_id = app_.id;
  grant.user_id = u.id;
  grant.kind = store::SessionKind::kOAuth;
  grant.client_id = c.client_id;
  grant.created_at = grant.last_used_at = clock_.NowMillis();
  grant.expires_at = clock_.NowMillis() + 3'600'000;
  EXPECT_TRUE(store_->CreateSession(grant, std::nullopt).IsAlreadyExists());
  auto tomb = store_->GetSession(app_.id, grant.id);
  ASSERT_TRUE(tomb.ok());
  EXPECT_LE(tomb->expires_at, clock_.NowMillis());
}

TEST_F(AuthorizationCodeGrantTest, CodeIsBoundToItsClient) {
  store::User u = SignUp("ada@example.com");
  StartedBrowserSession b = SignIn(u);
  store::OAuthClient a = Confidential("A");
  store::OAuthClient other = Confidential("B");  // same redirect URI
  Params p = BaseParams(a);
  std::string code = Code(p, b.session);
  auto r = Exchange(other, code, p["redirect_uri"], std::nullopt);
  EXPECT_EQ(ErrorOf(r), "invalid_grant");
  EXPECT_FALSE(r.ok());

  // A code of another app is unknown here.
  store::App elsewhere = apps_->Create("other", "Other").value();
  std::string code2 = Code(p, b.session);
  EXPECT_EQ(ErrorOf(Exchange(a, code2, p["redirect_uri"], std::nullopt, &elsewhere)),
            "invalid_grant");
  EXPECT_TRUE(Exchange(a, code2, p["redirect_uri"], std::nullopt).ok());
}

TEST_F(AuthorizationCodeGrantTest, RedirectUriMustRepeatTheAuthorizationRequests) {
  store::User u = SignUp("ada@example.com");
  StartedBrowserSession b = SignIn(u);
  store::OAuthClient c = Confidential();
  Params p = BaseParams(c);
  const std::string uri = p["redirect_uri"];

  std::string code = Code(p, b.session);
  EXPECT_EQ(ErrorOf(Exchange(c, code, std::nullopt, std::nullopt)),
            "invalid_grant");
  code = Code(p, b.session);
  EXPECT_EQ(ErrorOf(Exchange(c, code, std::string("https://client.example/other"),
                                  std::nullopt)),
            "invalid_grant");
  code = Code(p, b.session);
  EXPECT_TRUE(Exchange(c, code, uri, std::nullopt).ok());

  // Omitted in a (plain OAuth) authorization request: optional at the token endpoint, but if
  // sent it must be the registered one.
  Params omitted = p;
  omitted.erase("redirect_uri");
  omitted["scope"] = "profile email offline_access";
  code = Code(omitted, b.session);
  EXPECT_TRUE(Exchange(c, code, std::nullopt, std::nullopt).ok());
  code = Code(omitted, b.session);
  EXPECT_TRUE(Exchange(c, code, uri, std::nullopt).ok());
  code = Code(omitted, b.session);
  EXPECT_EQ(ErrorOf(Exchange(c, code, std::string("https://evil.example/cb"),
                                  std::nullopt)),
            "invalid_grant");

  // A loopback request with a port must be repeated with that same port.
  store::OAuthClient pub = Public();
  Params lp = BaseParams(pub);
  lp["redirect_uri"] = "http://127.0.0.1:50000/cb";
  code = Code(lp, b.session);
  EXPECT_EQ(ErrorOf(Exchange(pub, code, std::string("http://127.0.0.1:50001/cb"),
                                  std::string(kVerifier))),
            "invalid_grant");
  code = Code(lp, b.session);
  EXPECT_TRUE(Exchange(pub, code, lp["redirect_uri"], std::string(kVerifier)).ok());
}

TEST_F(AuthorizationCodeGrantTest, PkceVerifierMustMatchTheChallenge) {
  store::User u = SignUp("ada@example.com");
  StartedBrowserSession b = SignIn(u);
  store::OAuthClient pub = Public();
  Params p = BaseParams(pub);
  const std::optional<std::string> uri = p["redirect_uri"];
  auto exchange = [&](std::optional<std::string> verifier) {
    std::string code = Code(p, b.session);
    return Exchange(pub, code, uri, verifier);
  };

  std::string other_verifier(43, 'a');
  EXPECT_EQ(ErrorOf(exchange(other_verifier)), "invalid_grant");
  EXPECT_EQ(ErrorOf(exchange(std::nullopt)), "invalid_grant");
  EXPECT_EQ(ErrorOf(exchange(std::string(kVerifier).substr(0, 42))),
            "invalid_grant");
  EXPECT_EQ(ErrorOf(exchange(std::string(kVerifier) + "!")), "invalid_grant");
  EXPECT_EQ(ErrorOf(exchange(std::string(kChallenge))),  // the challenge itself
            "invalid_grant");
  EXPECT_EQ(ErrorOf(exchange(std::string(129, 'a'))), "invalid_grant");
  auto ok = exchange(std::string(kVerifier));
  ASSERT_TRUE(ok.ok()) << ErrorOf(ok);
  EXPECT_TRUE(Active(ok->access_token));

  // A verifier for a code issued without a challenge: a downgrade attempt.
  store::OAuthClient conf = Confidential();
  Params cp = BaseParams(conf);
  std::string code = Code(cp, b.session);
  EXPECT_EQ(ErrorOf(Exchange(conf, code, cp["redirect_uri"], std::string(kVerifier))),
            "invalid_grant");

  // A confidential client that did use PKCE must send the verifier too.
  cp["code_challenge"] = kChallenge;
  cp["code_challenge_method"] = "S256";
  code = Code(cp, b.session);
  EXPECT_EQ(ErrorOf(Exchange(conf, code, cp["redirect_uri"], std::nullopt)),
            "invalid_grant");
  code = Code(cp, b.session);
  EXPECT_TRUE(Exchange(conf, code, cp["redirect_uri"], std::string(kVerifier)).ok());
}

TEST_F(AuthorizationCodeGrantTest, DisabledUserGetsNoTokens) {
  store::User u = SignUp("ada@example.com");
  StartedBrowserSession b = SignIn(u);
  store::OAuthClient c = Confidential();
  GrantedTokens t = Grant(c, b.session, "openid offline_access");
  Params p = BaseParams(c);
  std::string code = Code(p, b.session);
  ASSERT_TRUE(store_->UpdateUser(app_.id, u.id, [](store::User& x) {
                       x.disabled = true;
                       return OkStatus();
                     }).ok());
  EXPECT_EQ(ErrorOf(Exchange(c, code, p["redirect_uri"], std::nullopt)),
            "invalid_grant");
  EXPECT_EQ(ErrorOf(Refresh(c, *t.refresh_token)),
            "invalid_grant");
  EXPECT_EQ(oauth_tokens_->UserInfo(app_, t.access_token).status().code(), StatusCode::kUnauthenticated);
  EXPECT_FALSE(Active(*t.refresh_token));  // the failed refresh revoked the grant
}

}  // namespace
}  // namespace tessera::services
