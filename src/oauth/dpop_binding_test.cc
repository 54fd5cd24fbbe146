// DPoP (RFC 9449) through the token endpoint, userinfo and the grants: tokens bound to the
// proof's key (cnf.jkt, token_type DPoP) for every grant; a code bound by dpop_jkt; a public
// client's refresh tokens bound to its key (refused, unspent, without it); bound tokens refused
// as bearer tokens (userinfo, account API) and taken under the DPoP scheme with a proof whose
// ath matches; server nonces; a client that must use DPoP; and nothing of it while the app has
// DPoP off.
#include <gtest/gtest.h>

#include "tests/support/dpop_proof.h"
#include "tests/support/oauth_endpoint_fixture.h"

namespace tessera::services {
namespace {

using namespace testing_oauth;
using testing_support::DpopClientKey;
namespace json = boost::json;

constexpr char kTokenUrl[] = "https://id.example/apps/default/oauth/token";
constexpr char kUserInfoUrl[] = "https://id.example/apps/default/oauth/userinfo";

class DpopBindingTest : public OAuthEndpointFixture {
 protected:
  void SetUp() override {
    OAuthEndpointFixture::SetUp();
    SetDpop(true);
    ClientRegistration m;
    m.name = "Billing job";
    m.grant_types = {"client_credentials"};
    m.scopes = {"invoices:read"};
    machine_ = RegisterConfidential(std::move(m));
    user_ = SignUp("ada@example.com", "ada");
    browser_session_ = SignIn(user_).session;
  }

  void SetDpop(bool on, bool nonce = false) {
    store::AppSettings s = app_.settings;
    s.dpop = on;
    s.dpop_nonce = nonce;
    app_ = apps_->UpdateSettings(app_.slug, s).value();
  }

  int64_t Now() const { return clock_.NowSeconds(); }

  http::Response Token(const Pairs& form, Headers headers = {}) {
    return PostForm(Path("token"), Form(form), std::move(headers));
  }
  http::Response MachineToken(Headers headers = {}) {
    headers.emplace_back("Authorization", Basic(machine_.client.client_id, machine_.secret));
    return Token({{"grant_type", "client_credentials"}}, std::move(headers));
  }
  Headers Proof(const DpopClientKey& key, const std::string& url = kTokenUrl,
                const std::string& method = "POST", const std::string& token = "",
                const DpopClientKey::Edit& edit = {}) {
    return {{"DPoP", key.Proof(method, url, Now(), token, edit)}};
  }

  // A public client's code (PKCE) for `scope`, its request naming `dpop_jkt` when set.
  std::string PublicCode(const store::OAuthClient& c, const std::string& scope,
                         const std::string& dpop_jkt = "") {
    Params p = BaseParams(c, scope);
    if (!dpop_jkt.empty()) p["dpop_jkt"] = dpop_jkt;
    return Code(p, browser_session_);
  }
  http::Response RedeemPublic(const store::OAuthClient& c, const std::string& code, Headers h = {}) {
    return Token({{"grant_type", "authorization_code"},
                  {"code", code},
                  {"client_id", c.client_id},
                  {"redirect_uri", c.redirect_uris.at(0)},
                  {"code_verifier", kVerifier}},
                 std::move(h));
  }
  http::Response RefreshPublic(const store::OAuthClient& c, const std::string& rt, Headers h = {}) {
    return Token({{"grant_type", "refresh_token"}, {"refresh_token", rt}, {"client_id", c.client_id}},
                 std::move(h));
  }
  http::Response UserInfo(Headers headers) {
    return Send(verb::verb::get, Path("userinfo"), "", headers);
  }
  json::object Introspected(const std::string& token) {
    store::OAuthClient rs;
    rs.resource_server = true;
    return oauth_tokens_->Introspect(app_, rs, token, "").value();
  }

  Credentials machine_;
  store::User user_;
  store::Session browser_session_;
  DpopClientKey key_;
};

TEST_F(DpopBindingTest, TheTokenIsBoundToTheProofsKey) {
  http::Response r = MachineToken(Proof(key_));
  ASSERT_EQ(r.status, 200u) << r.body;
  json::object body = JsonOf(r);
  EXPECT_EQ(Str(body, "token_type"), "DPoP");
  std::string at = Str(body, "access_token");
  EXPECT_EQ(Payload(at).at("cnf").as_object().at("jkt").as_string(), key_.Thumbprint());
  json::object seen = Introspected(at);
  EXPECT_EQ(Str(seen, "token_type"), "DPoP");
  EXPECT_EQ(seen.at("cnf").as_object().at("jkt").as_string(), key_.Thumbprint());
  // Without a proof: a bearer token, as before.
  json::object plain = JsonOf(MachineToken());
  EXPECT_EQ(Str(plain, "token_type"), "Bearer");
  EXPECT_FALSE(Payload(Str(plain, "access_token")).contains("cnf"));
  EXPECT_EQ(Str(Introspected(Str(plain, "access_token")), "token_type"), "Bearer");
}

TEST_F(DpopBindingTest, BadProofsAreRefusedWithInvalidDpopProof) {
  auto expect = [&](http::Response r, std::string_view error, const char* what) {
    EXPECT_EQ(r.status, 400u) << what << ": " << r.body;
    EXPECT_EQ(OAuthErrorOf(r), error) << what << ": " << r.body;
    EXPECT_EQ(HeaderOf(r, "Cache-Control"), "no-store") << what;
  };
  expect(MachineToken({{"DPoP", "garbage"}}), "invalid_dpop_proof", "garbage");
  expect(MachineToken(Proof(key_, kUserInfoUrl)), "invalid_dpop_proof", "another endpoint");
  expect(MachineToken(Proof(key_, kTokenUrl, "GET")), "invalid_dpop_proof", "another method");
  Headers two = Proof(key_);
  two.push_back(Proof(key_)[0]);
  expect(MachineToken(two), "invalid_dpop_proof", "two proofs");
  Headers once = Proof(key_);
  ASSERT_EQ(MachineToken(once).status, 200u);
  expect(MachineToken(once), "invalid_dpop_proof", "a replay");
  EXPECT_NE(JsonOf(MachineToken(once)).at("error_description").as_string().find("used before"),
            std::string::npos);
}

TEST_F(DpopBindingTest, WhileTheAppHasDpopOffProofsAreIgnored) {
  SetDpop(false);
  http::Response r = MachineToken({{"DPoP", "not even a proof"}});
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(Str(JsonOf(r), "token_type"), "Bearer");
  // …and dpop_jkt is an unknown parameter, ignored (not even its shape is checked).
  store::OAuthClient pub = Public();
  std::string code = PublicCode(pub, "openid", "not a thumbprint");
  http::Response redeemed = RedeemPublic(pub, code);
  EXPECT_EQ(redeemed.status, 200u) << redeemed.body;
}

TEST_F(DpopBindingTest, ServerNoncesAreAskedForAndThenTaken) {
  SetDpop(true, /*nonce=*/true);
  http::Response first = MachineToken(Proof(key_));
  EXPECT_EQ(first.status, 400u);
  EXPECT_EQ(OAuthErrorOf(first), "use_dpop_nonce");
  std::string nonce = HeaderOf(first, "DPoP-Nonce");
  ASSERT_FALSE(nonce.empty());
  http::Response second = MachineToken(
      Proof(key_, kTokenUrl, "POST", "", [&](auto&, auto& c) { c["nonce"] = nonce; }));
  ASSERT_EQ(second.status, 200u) << second.body;
  EXPECT_EQ(HeaderOf(second, "DPoP-Nonce"), nonce);  // every answer carries the current one
  // A bearer request needs no nonce.
  EXPECT_EQ(MachineToken().status, 200u);
}

TEST_F(DpopBindingTest, AClientRegisteredForBoundTokensMustSendAProof) {
  ClientRegistration m;
  m.name = "Strict job";
  m.grant_types = {"client_credentials"};
  m.scopes = {"invoices:read"};
  m.dpop_bound_access_tokens = true;
  Credentials strict = RegisterConfidential(std::move(m));
  Headers auth{{"Authorization", Basic(strict.client.client_id, strict.secret)}};
  http::Response none = Token({{"grant_type", "client_credentials"}}, auth);
  EXPECT_EQ(none.status, 400u);
  EXPECT_EQ(OAuthErrorOf(none), "invalid_request");
  Headers with_proof = auth;
  with_proof.push_back(Proof(key_)[0]);
  http::Response bound = Token({{"grant_type", "client_credentials"}}, with_proof);
  ASSERT_EQ(bound.status, 200u) << bound.body;
  EXPECT_EQ(Str(JsonOf(bound), "token_type"), "DPoP");
  // With DPoP off for the app it gets nothing rather than a bearer token.
  SetDpop(false);
  with_proof.back() = Proof(key_)[0];
  EXPECT_EQ(OAuthErrorOf(Token({{"grant_type", "client_credentials"}}, with_proof)),
            "invalid_request");
}

TEST_F(DpopBindingTest, ACodeBoundByDpopJktNeedsAProofOfThatKey) {
  store::OAuthClient pub = Public();
  // The parameter must be a thumbprint when DPoP is on.
  AuthorizeRefusal bad = Invalid([&] {
    Params p = BaseParams(pub, "openid");
    p["dpop_jkt"] = "short";
    return p;
  }());
  EXPECT_EQ(bad.error.code, "invalid_request");
  DpopClientKey other;
  http::Response without = RedeemPublic(pub, PublicCode(pub, "openid", key_.Thumbprint()));
  EXPECT_EQ(OAuthErrorOf(without), "invalid_grant") << without.body;
  http::Response wrong_key =
      RedeemPublic(pub, PublicCode(pub, "openid", key_.Thumbprint()), Proof(other));
  EXPECT_EQ(OAuthErrorOf(wrong_key), "invalid_grant") << wrong_key.body;
  http::Response right =
      RedeemPublic(pub, PublicCode(pub, "openid", key_.Thumbprint()), Proof(key_));
  ASSERT_EQ(right.status, 200u) << right.body;
  EXPECT_EQ(Str(JsonOf(right), "token_type"), "DPoP");
  EXPECT_EQ(Str(Payload(Str(JsonOf(right), "access_token")).at("cnf").as_object(), "jkt"),
            key_.Thumbprint());
}

TEST_F(DpopBindingTest, APublicClientsRefreshTokensAreBoundToItsKey) {
  store::OAuthClient pub = Public();
  http::Response first = RedeemPublic(pub, PublicCode(pub, "openid offline_access"), Proof(key_));
  ASSERT_EQ(first.status, 200u) << first.body;
  std::string rt = Str(JsonOf(first), "refresh_token");
  ASSERT_FALSE(rt.empty());
  // Stolen without the key: refused, and not spent (no reuse detection to trigger).
  http::Response bare = RefreshPublic(pub, rt);
  EXPECT_EQ(OAuthErrorOf(bare), "invalid_grant") << bare.body;
  DpopClientKey thief;
  EXPECT_EQ(OAuthErrorOf(RefreshPublic(pub, rt, Proof(thief))), "invalid_grant");
  EXPECT_TRUE(Active(rt));
  // The holder of the key refreshes; the next token is bound the same way.
  http::Response next = RefreshPublic(pub, rt, Proof(key_));
  ASSERT_EQ(next.status, 200u) << next.body;
  EXPECT_EQ(Str(JsonOf(next), "token_type"), "DPoP");
  std::string rt2 = Str(JsonOf(next), "refresh_token");
  EXPECT_EQ(OAuthErrorOf(RefreshPublic(pub, rt2)), "invalid_grant");
  EXPECT_EQ(RefreshPublic(pub, rt2, Proof(key_)).status, 200u);
}

TEST_F(DpopBindingTest, AConfidentialClientsRefreshTokensAreNotBound) {
  Credentials web = RegisterConfidential([] {
    ClientRegistration r;
    r.name = "Web";
    r.redirect_uris = {kConfidentialRedirect};
    return r;
  }());
  Params p = BaseParams(web.client, "openid offline_access");
  std::string code = Code(p, browser_session_);
  Headers auth{{"Authorization", Basic(web.client.client_id, web.secret)}};
  Headers with_proof = auth;
  with_proof.push_back(Proof(key_)[0]);
  http::Response first = Token({{"grant_type", "authorization_code"},
                                {"code", code},
                                {"redirect_uri", kConfidentialRedirect}},
                               with_proof);
  ASSERT_EQ(first.status, 200u) << first.body;
  EXPECT_EQ(Str(JsonOf(first), "token_type"), "DPoP");
  // Its credentials bind its refresh tokens already (RFC 9449 §5): a refresh without a proof
  // gets a bearer token.
  http::Response next = Token(
      {{"grant_type", "refresh_token"}, {"refresh_token", Str(JsonOf(first), "refresh_token")}}, auth);
  ASSERT_EQ(next.status, 200u) << next.body;
  EXPECT_EQ(Str(JsonOf(next), "token_type"), "Bearer");
}

TEST_F(DpopBindingTest, UserinfoTakesABoundTokenOnlyWithAProofOfItsKey) {
  store::OAuthClient pub = Public();
  http::Response granted = RedeemPublic(pub, PublicCode(pub, "openid email"), Proof(key_));
  ASSERT_EQ(granted.status, 200u) << granted.body;
  std::string at = Str(JsonOf(granted), "access_token");
  auto challenge = [&](const http::Response& r) { return HeaderOf(r, "WWW-Authenticate"); };

  http::Response as_bearer = UserInfo({{"Authorization", "Bearer " + at}});
  EXPECT_EQ(as_bearer.status, 401u);
  EXPECT_EQ(OAuthErrorOf(as_bearer), "invalid_token");

  Headers good{{"Authorization", "DPoP " + at}, Proof(key_, kUserInfoUrl, "GET", at)[0]};
  http::Response ok = UserInfo(good);
  ASSERT_EQ(ok.status, 200u) << ok.body;
  EXPECT_EQ(Str(JsonOf(ok), "email"), "ada@example.com");
  // The same proof again: a replay.
  http::Response replay = UserInfo(good);
  EXPECT_EQ(replay.status, 401u);
  EXPECT_EQ(OAuthErrorOf(replay), "invalid_dpop_proof");
  EXPECT_NE(challenge(replay).find("DPoP algs=\"ES256 EdDSA RS256\", error=\"invalid_dpop_proof\""),
            std::string::npos)
      << challenge(replay);

  http::Response no_proof = UserInfo({{"Authorization", "DPoP " + at}});
  EXPECT_EQ(OAuthErrorOf(no_proof), "invalid_dpop_proof");
  http::Response no_ath = UserInfo({{"Authorization", "DPoP " + at}, Proof(key_, kUserInfoUrl, "GET")[0]});
  EXPECT_EQ(OAuthErrorOf(no_ath), "invalid_dpop_proof");
  DpopClientKey thief;
  http::Response other_key =
      UserInfo({{"Authorization", "DPoP " + at}, Proof(thief, kUserInfoUrl, "GET", at)[0]});
  EXPECT_EQ(OAuthErrorOf(other_key), "invalid_token");
  EXPECT_EQ(other_key.status, 401u);

  // A bearer token under the DPoP scheme is no DPoP token.
  std::string bearer = Str(JsonOf(RedeemPublic(pub, PublicCode(pub, "openid"))), "access_token");
  http::Response unbound =
      UserInfo({{"Authorization", "DPoP " + bearer}, Proof(key_, kUserInfoUrl, "GET", bearer)[0]});
  EXPECT_EQ(OAuthErrorOf(unbound), "invalid_token");
  EXPECT_EQ(UserInfo({{"Authorization", "Bearer " + bearer}}).status, 200u);
  // With DPoP off for the app, the DPoP scheme is unknown: a Bearer challenge answers it.
  SetDpop(false);
  http::Response off =
      UserInfo({{"Authorization", "DPoP " + bearer}, Proof(key_, kUserInfoUrl, "GET", bearer)[0]});
  EXPECT_EQ(off.status, 401u);
  EXPECT_EQ(challenge(off).rfind("Bearer realm=\"tessera\"", 0), 0u) << challenge(off);
  SetDpop(true);

  // With nonces, the resource asks for one as the token endpoint does.
  SetDpop(true, /*nonce=*/true);
  http::Response ask = UserInfo({{"Authorization", "DPoP " + at}, Proof(key_, kUserInfoUrl, "GET", at)[0]});
  EXPECT_EQ(ask.status, 401u);
  EXPECT_EQ(OAuthErrorOf(ask), "use_dpop_nonce");
  std::string nonce = HeaderOf(ask, "DPoP-Nonce");
  ASSERT_FALSE(nonce.empty());
  http::Response answered = UserInfo(
      {{"Authorization", "DPoP " + at},
       Proof(key_, kUserInfoUrl, "GET", at, [&](auto&, auto& c) { c["nonce"] = nonce; })[0]});
  EXPECT_EQ(answered.status, 200u) << answered.body;
}

TEST_F(DpopBindingTest, TheAccountApiRefusesABoundTokenAsABearerToken) {
  store::OAuthClient web = Confidential();
  GrantedTokens g = Grant(web, browser_session_, "openid");
  std::string sid = Str(Payload(g.access_token), "sid");
  auto account_token = [&](const std::string& jkt) {
    AccessTokenRequest r{issuer_, issuer_, user_.id, web.client_id, "account", sid, 0, 600};
    r.dpop_jkt = jkt;
    return tokens_->Issue(r).value().token;
  };
  EXPECT_TRUE(auth_->Authenticate(app_, "Bearer " + account_token("")).ok());
  EXPECT_EQ(auth_->Authenticate(app_, "Bearer " + account_token(key_.Thumbprint())).status().code(),
            StatusCode::kUnauthenticated);
}

TEST_F(DpopBindingTest, APushWithAProofBindsTheCodeToItsKey) {
  SetDpop(true);
  store::AppSettings s = app_.settings;
  s.par = true;
  app_ = apps_->UpdateSettings(app_.slug, s).value();
  store::OAuthClient pub = Public();
  Params p = BaseParams(pub, "openid");
  // A proof and a dpop_jkt naming another key disagree.
  p["dpop_jkt"] = DpopClientKey().Thumbprint();
  auto clash = authz_->Push(app_, pub, p, key_.Thumbprint());
  ASSERT_FALSE(clash.ok());
  EXPECT_EQ(clash.error().code, "invalid_dpop_proof");
  p.erase("dpop_jkt");
  auto pushed = authz_->Push(app_, pub, p, key_.Thumbprint());
  ASSERT_TRUE(pushed.ok()) << pushed.error().description;
  std::string code = Code({{"client_id", pub.client_id}, {"request_uri", pushed->request_uri}},
                          browser_session_);
  EXPECT_EQ(OAuthErrorOf(RedeemPublic(pub, code)), "invalid_grant");
  std::string code2 = [&] {
    auto again = authz_->Push(app_, pub, p, key_.Thumbprint()).value();
    return Code({{"client_id", pub.client_id}, {"request_uri", again.request_uri}}, browser_session_);
  }();
  EXPECT_EQ(RedeemPublic(pub, code2, Proof(key_)).status, 200u);
}

}  // namespace
}  // namespace tessera::services
