// OAuth 2.0 / OpenID Connect rules against a real (SQLite) store and a manual clock:
// the authorization request (AuthorizationService), the code, refresh, introspection,
// revocation and userinfo (OAuthGrantService), and how their tokens meet the account API.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "tests/support/oauth_fixture.h"

namespace tessera::services {
namespace {

using namespace testing_oauth;
namespace json = boost::json;

class OAuthServicesTest : public OAuthFixture {};

std::string Str(const json::object& o, std::string_view k) {
  auto it = o.find(k);
  return it != o.end() && it->value().is_string() ? std::string(it->value().as_string()) : "";
}

// ---------------------------------------------------------------------------------------
// AuthorizationService::Validate

TEST_F(OAuthServicesTest, ValidateNeverRedirectsUntilClientAndRedirectUriAreKnown) {
  store::OAuthClient c = Confidential();
  Params p = BaseParams(c);

  Params no_client = p;
  no_client.erase("client_id");
  AuthorizeFailure f = Invalid(no_client);
  EXPECT_FALSE(f.redirect);
  EXPECT_EQ(f.error, "invalid_request");

  Params unknown = p;
  unknown["client_id"] = "no-such-client";
  f = Invalid(unknown);
  EXPECT_FALSE(f.redirect);
  EXPECT_EQ(f.error, "invalid_client");

  Params evil = p;
  evil["redirect_uri"] = "https://evil.example/cb";
  f = Invalid(evil);
  EXPECT_FALSE(f.redirect);
  EXPECT_EQ(f.error, "invalid_request");

  // A prefix / suffix of the registered URI is not it.
  for (const std::string& uri : std::vector<std::string>{"https://client.example/cb/x", "https://client.example/c",
                          "https://client.example/cb?x=1", "https://client.example/cb#f",
                          "https://client.example:8443/cb", ""}) {
    Params q = p;
    q["redirect_uri"] = uri;
    f = Invalid(q);
    EXPECT_FALSE(f.redirect) << uri;
  }

  // Even with every other parameter wrong, a bad redirect URI is shown, not redirected.
  Params both = evil;
  both["response_type"] = "token";
  both["scope"] = "admin";
  EXPECT_FALSE(Invalid(both).redirect);

  // Another app's client is unknown here.
  store::App other = apps_->Create("other", "Other").value();
  ClientRegistration r;
  r.name = "Elsewhere";
  r.redirect_uris = {kConfidentialRedirect};
  store::OAuthClient foreign = Register(std::move(r), &other);
  f = Invalid(BaseParams(foreign));
  EXPECT_FALSE(f.redirect);
  EXPECT_EQ(f.error, "invalid_client");
}

TEST_F(OAuthServicesTest, ValidateAllowsOmittedRedirectUriOnlyWithExactlyOneRegistered) {
  store::OAuthClient one = Confidential();
  Params p = BaseParams(one);
  p.erase("redirect_uri");
  AuthorizationRequest req = Valid(p);
  EXPECT_EQ(req.redirect_uri, kConfidentialRedirect);
  EXPECT_FALSE(req.redirect_uri_given);

  store::OAuthClient two = Public();  // two registered URIs
  Params q = BaseParams(two);
  q.erase("redirect_uri");
  AuthorizeFailure f = Invalid(q);
  EXPECT_FALSE(f.redirect);
  EXPECT_EQ(f.error, "invalid_request");
}

TEST_F(OAuthServicesTest, LoopbackRedirectMatchesAnyPortButNothingElse) {
  store::OAuthClient c = Public();  // registered http://127.0.0.1/cb
  Params p = BaseParams(c);
  p["redirect_uri"] = "http://127.0.0.1:51234/cb";
  AuthorizationRequest req = Valid(p);
  EXPECT_EQ(req.redirect_uri, "http://127.0.0.1:51234/cb");  // answered where it asked
  EXPECT_TRUE(req.redirect_uri_given);

  for (const std::string& uri : std::vector<std::string>{"http://127.0.0.1:51234/other", "http://localhost:51234/cb",
                          "http://127.0.0.2:51234/cb", "https://127.0.0.1:51234/cb",
                          "http://127.0.0.1:51234/cb?x=1", "http://127.0.0.1:51234/cb#frag",
                          "http://user@127.0.0.1:51234/cb", "http://127.0.0.1:51234/cb/"}) {
    Params q = p;
    q["redirect_uri"] = uri;
    AuthorizeFailure f = Invalid(q);
    EXPECT_FALSE(f.redirect) << uri;
  }

  EXPECT_TRUE(RedirectUriMatches("http://[::1]/cb", "http://[::1]:8080/cb"));
  EXPECT_TRUE(RedirectUriMatches("http://localhost:3000/cb", "http://localhost:4000/cb"));
  // Not loopback: the port is part of the URI.
  EXPECT_FALSE(RedirectUriMatches("https://client.example/cb", "https://client.example:444/cb"));
  EXPECT_FALSE(RedirectUriMatches("http://127.0.0.1/cb", "http://localhost/cb"));
}

TEST_F(OAuthServicesTest, ValidateResponseType) {
  store::OAuthClient c = Confidential();
  Params p = BaseParams(c);
  for (const std::string& rt : std::vector<std::string>{"token", "id_token", "code id_token", "code token", "CODE"}) {
    p["response_type"] = rt;
    AuthorizeFailure f = Invalid(p);
    EXPECT_TRUE(f.redirect) << rt;
    EXPECT_EQ(f.error, "unsupported_response_type") << rt;
  }
  p.erase("response_type");
  AuthorizeFailure f = Invalid(p);
  EXPECT_TRUE(f.redirect);
  EXPECT_EQ(f.error, "invalid_request");

  Params fragment = BaseParams(c);
  fragment["response_mode"] = "fragment";
  EXPECT_EQ(Invalid(fragment).error, "invalid_request");
}

TEST_F(OAuthServicesTest, ValidateScope) {
  store::OAuthClient c = Confidential();  // openid profile email offline_access
  Params p = BaseParams(c, "openid admin");
  AuthorizeFailure f = Invalid(p);
  EXPECT_TRUE(f.redirect);
  EXPECT_EQ(f.error, "invalid_scope");

  p["scope"] = "openid\tprofile";
  EXPECT_EQ(Invalid(p).error, "invalid_scope");

  // No scope: everything the client may ask for except offline_access.
  p["scope"] = "";
  AuthorizationRequest req = Valid(p);
  EXPECT_EQ(req.scopes, (std::vector<std::string>{"openid", "profile", "email"}));
  p.erase("scope");
  req = Valid(p);
  EXPECT_EQ(req.scopes, (std::vector<std::string>{"openid", "profile", "email"}));

  p["scope"] = "openid  email openid";  // extra spaces, duplicates
  req = Valid(p);
  EXPECT_EQ(req.scopes, (std::vector<std::string>{"openid", "email"}));
}

TEST_F(OAuthServicesTest, ValidatePkce) {
  store::OAuthClient pub = Public();
  Params p = BaseParams(pub);
  AuthorizationRequest ok = Valid(p);
  EXPECT_EQ(ok.code_challenge, kChallenge);

  Params none = p;
  none.erase("code_challenge");
  none.erase("code_challenge_method");
  AuthorizeFailure f = Invalid(none);
  EXPECT_TRUE(f.redirect);
  EXPECT_EQ(f.error, "invalid_request");

  Params plain = p;
  plain["code_challenge_method"] = "plain";
  EXPECT_EQ(Invalid(plain).error, "invalid_request");

  Params no_method = p;
  no_method.erase("code_challenge_method");  // defaults to plain (RFC 7636 §4.3): refused
  EXPECT_EQ(Invalid(no_method).error, "invalid_request");

  for (const std::string& bad : std::vector<std::string>{std::string(kChallenge).substr(0, 42), std::string(kChallenge) + "A",
                          "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw+cM",
                          "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw=cM"}) {
    Params q = p;
    q["code_challenge"] = bad;
    AuthorizeFailure g = Invalid(q);
    EXPECT_TRUE(g.redirect) << bad;
    EXPECT_EQ(g.error, "invalid_request") << bad;
  }

  // A confidential client may skip PKCE, but not send a method alone.
  store::OAuthClient conf = Confidential();
  Params c = BaseParams(conf);
  EXPECT_TRUE(Valid(c).code_challenge.empty());
  c["code_challenge_method"] = "S256";
  EXPECT_EQ(Invalid(c).error, "invalid_request");
}

TEST_F(OAuthServicesTest, ValidatePromptAndMaxAge) {
  store::OAuthClient c = Confidential();
  Params p = BaseParams(c);
  p["prompt"] = "none login";
  AuthorizeFailure f = Invalid(p);
  EXPECT_TRUE(f.redirect);
  EXPECT_EQ(f.error, "invalid_request");
  p["prompt"] = "sometimes";
  EXPECT_EQ(Invalid(p).error, "invalid_request");
  p["prompt"] = "login consent";
  AuthorizationRequest req = Valid(p);
  EXPECT_TRUE(req.Prompts("login"));
  EXPECT_TRUE(req.Prompts("consent"));
  EXPECT_FALSE(req.Prompts("none"));

  Params m = BaseParams(c);
  for (const std::string& bad : std::vector<std::string>{"-1", "abc", "", "1.5", " 10", "12345678901", "+5", "1\xc3\xa9", "\xd9\xa3"}) {
    m["max_age"] = bad;
    AuthorizeFailure g = Invalid(m);
    EXPECT_TRUE(g.redirect) << bad;
    EXPECT_EQ(g.error, "invalid_request") << bad;
  }
  m["max_age"] = "0";
  EXPECT_EQ(Valid(m).max_age_s, 0);
  m["max_age"] = "3600";
  EXPECT_EQ(Valid(m).max_age_s, 3600);
  EXPECT_FALSE(Valid(BaseParams(c)).max_age_s.has_value());
}

TEST_F(OAuthServicesTest, ValidateRefusesRequestObjectsAndLongState) {
  store::OAuthClient c = Confidential();
  Params p = BaseParams(c);
  p["request"] = "eyJhbGciOiJub25lIn0.e30.";
  AuthorizeFailure f = Invalid(p);
  EXPECT_TRUE(f.redirect);
  EXPECT_EQ(f.error, "request_not_supported");

  Params u = BaseParams(c);
  u["request_uri"] = "https://client.example/req.jwt";
  f = Invalid(u);
  EXPECT_TRUE(f.redirect);
  EXPECT_EQ(f.error, "request_uri_not_supported");

  Params s = BaseParams(c);
  s["state"] = std::string(2049, 'x');
  AuthorizationRequest req = authz_->Validate(app_, s);
  ASSERT_TRUE(req.failure);
  EXPECT_EQ(req.failure->error, "invalid_request");
  EXPECT_TRUE(req.state.empty());  // never echoed back
  s["state"] = std::string(2048, 'x');
  EXPECT_EQ(Valid(s).state.size(), 2048u);

  Params n = BaseParams(c);
  n["nonce"] = std::string(513, 'n');
  EXPECT_EQ(Invalid(n).error, "invalid_request");
}

TEST_F(OAuthServicesTest, ValidateRefusesClientWithoutCodeGrant) {
  ClientRegistration r;
  r.name = "Machine";
  r.grant_types = {"client_credentials"};
  r.scopes = {"reports"};
  r.redirect_uris = {kConfidentialRedirect};
  store::OAuthClient c = Register(std::move(r));
  Params p = BaseParams(c, "reports");
  AuthorizeFailure f = Invalid(p);
  EXPECT_TRUE(f.redirect);
  EXPECT_EQ(f.error, "unauthorized_client");
}

// ---------------------------------------------------------------------------------------
// NeedsLogin / NeedsConsent / authorized apps

TEST_F(OAuthServicesTest, NeedsLoginForPromptLoginAndPastMaxAge) {
  store::User u = SignUp("ada@example.com");
  StartedBrowserSession b = SignIn(u);
  store::OAuthClient c = Confidential();

  EXPECT_FALSE(authz_->NeedsLogin(Valid(BaseParams(c)), b.session));

  Params login = BaseParams(c);
  login["prompt"] = "login";
  EXPECT_TRUE(authz_->NeedsLogin(Valid(login), b.session));

  Params aged = BaseParams(c);
  aged["max_age"] = "600";
  AuthorizationRequest req = Valid(aged);
  clock_.Advance(599'000);
  store::Session live = browser_->Resolve(app_, b.cookie_value).value();
  EXPECT_FALSE(authz_->NeedsLogin(req, live));
  clock_.Advance(2'000);  // 601 s after sign-in; using the session does not reset auth_time
  live = browser_->Resolve(app_, b.cookie_value).value();
  EXPECT_TRUE(authz_->NeedsLogin(req, live));
  EXPECT_FALSE(authz_->NeedsLogin(Valid(BaseParams(c)), live));
}

TEST_F(OAuthServicesTest, NeedsConsentUntilEveryScopeWasGranted) {
  store::User u = SignUp("ada@example.com");
  store::OAuthClient first = Confidential("Own app", /*first_party=*/true);
  store::OAuthClient third = Confidential("Photos");

  EXPECT_FALSE(authz_->NeedsConsent(app_, u.id, Valid(BaseParams(first, "openid email"))).value());

  AuthorizationRequest base = Valid(BaseParams(third, "openid profile"));
  EXPECT_TRUE(authz_->NeedsConsent(app_, u.id, base).value());
  ASSERT_TRUE(authz_->RecordConsent(app_, u.id, base).ok());
  EXPECT_FALSE(authz_->NeedsConsent(app_, u.id, base).value());
  EXPECT_FALSE(authz_->NeedsConsent(app_, u.id, Valid(BaseParams(third, "openid"))).value());

  AuthorizationRequest more = Valid(BaseParams(third, "openid profile offline_access"));
  EXPECT_TRUE(authz_->NeedsConsent(app_, u.id, more).value());
  ASSERT_TRUE(authz_->RecordConsent(app_, u.id, more).ok());
  EXPECT_FALSE(authz_->NeedsConsent(app_, u.id, more).value());
  EXPECT_FALSE(authz_->NeedsConsent(app_, u.id, base).value());  // consent accumulates

  Params again = BaseParams(third, "openid");
  again["prompt"] = "consent";
  EXPECT_TRUE(authz_->NeedsConsent(app_, u.id, Valid(again)).value());

  // Consent is per user.
  store::User other = SignUp("bob@example.com");
  EXPECT_TRUE(authz_->NeedsConsent(app_, other.id, base).value());
}

TEST_F(OAuthServicesTest, ListAndRevokeAuthorizedApps) {
  store::User u = SignUp("ada@example.com");
  StartedBrowserSession b = SignIn(u);
  store::OAuthClient a = Confidential("Photos");
  store::OAuthClient c = Confidential("Calendar");

  AuthorizationRequest ra = Valid(BaseParams(a, "openid offline_access"));
  ASSERT_TRUE(authz_->RecordConsent(app_, u.id, ra).ok());
  clock_.Advance(1'000);
  AuthorizationRequest rc = Valid(BaseParams(c, "openid offline_access"));
  ASSERT_TRUE(authz_->RecordConsent(app_, u.id, rc).ok());
  GrantedTokens ta = Grant(a, b.session, "openid offline_access");
  GrantedTokens ta2 = Grant(a, b.session, "openid offline_access");  // a second grant of A
  GrantedTokens tc = Grant(c, b.session, "openid offline_access");

  auto listed = authz_->ListAuthorizedApps(app_, u.id).value();
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].client.client_id, c.client_id);  // newest first
  EXPECT_EQ(listed[1].client.client_id, a.client_id);
  EXPECT_EQ(listed[1].consent.scopes, (std::vector<std::string>{"openid", "offline_access"}));

  ASSERT_TRUE(authz_->RevokeAuthorization(app_, u.id, a.client_id).ok());
  listed = authz_->ListAuthorizedApps(app_, u.id).value();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].client.client_id, c.client_id);
  EXPECT_TRUE(authz_->NeedsConsent(app_, u.id, ra).value());

  // Every grant of A is dead; C's is untouched.
  EXPECT_FALSE(Active(ta.access_token));
  EXPECT_FALSE(Active(*ta.refresh_token));
  EXPECT_FALSE(Active(ta2.access_token));
  EXPECT_FALSE(Active(*ta2.refresh_token));
  EXPECT_EQ(grants_->UserInfo(app_, ta.access_token).status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(grants_->Refresh(app_, a, *ta.refresh_token, std::nullopt, client_).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_TRUE(Active(tc.access_token));
  EXPECT_TRUE(Active(*tc.refresh_token));
  // The browser session is not the client's: still signed in.
  EXPECT_TRUE(browser_->Resolve(app_, b.cookie_value).ok());

  EXPECT_EQ(authz_->RevokeAuthorization(app_, u.id, a.client_id).code(), StatusCode::kNotFound);
  EXPECT_EQ(authz_->RevokeAuthorization(app_, u.id, "nope").code(), StatusCode::kNotFound);
  // Another user cannot revoke this user's authorization of C.
  store::User other = SignUp("bob@example.com");
  EXPECT_EQ(authz_->RevokeAuthorization(app_, other.id, c.client_id).code(), StatusCode::kNotFound);
  EXPECT_TRUE(Active(tc.access_token));
}

// ---------------------------------------------------------------------------------------
// Code exchange and the ID token

TEST_F(OAuthServicesTest, CodeExchangeIssuesAccessIdAndRefreshTokens) {
  store::User u = SignUp("ada@example.com", "ada");
  StartedBrowserSession b = SignIn(u);
  clock_.Advance(5'000);  // auth_time is the sign-in, not the exchange
  store::OAuthClient c = Confidential();
  Params p = BaseParams(c, "openid profile email offline_access");
  std::string code = Code(p, b.session);
  EXPECT_EQ(code.rfind("tac_", 0), 0u);
  clock_.Advance(2'000);
  auto t = grants_->ExchangeCode(app_, c, code, p["redirect_uri"], std::nullopt);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
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
  EXPECT_EQ(Str(header, "alg"), "ES256");
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

TEST_F(OAuthServicesTest, TokensFollowTheScopes) {
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
  auto n = grants_->ExchangeCode(app_, c, code, no_nonce["redirect_uri"], std::nullopt);
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

TEST_F(OAuthServicesTest, CodeExpiresAfterItsLifetime) {
  store::User u = SignUp("ada@example.com");
  StartedBrowserSession b = SignIn(u);
  store::OAuthClient c = Confidential();
  Params p = BaseParams(c);
  std::string code = Code(p, b.session);
  clock_.Advance(61'000);
  EXPECT_EQ(grants_->ExchangeCode(app_, c, code, p["redirect_uri"], std::nullopt).status().code(),
            StatusCode::kFailedPrecondition);

  std::string fresh = Code(p, b.session);
  clock_.Advance(59'000);
  EXPECT_TRUE(grants_->ExchangeCode(app_, c, fresh, p["redirect_uri"], std::nullopt).ok());
}

TEST_F(OAuthServicesTest, MalformedOrUnknownCodes) {
  store::OAuthClient c = Confidential();
  EXPECT_EQ(grants_->ExchangeCode(app_, c, "", std::nullopt, std::nullopt).status().code(),
            StatusCode::kInvalidArgument);
  for (const std::string& code : std::vector<std::string>{"garbage", "tac_unknown", "tsr_" + std::string(43, 'a'),
                           "tac_" + std::string(200, 'a')}) {
    EXPECT_EQ(grants_->ExchangeCode(app_, c, code, std::nullopt, std::nullopt).status().code(),
              StatusCode::kFailedPrecondition)
        << code;
  }
}

TEST_F(OAuthServicesTest, ReplayedCodeFailsAndRevokesWhatTheFirstExchangeIssued) {
  store::User u = SignUp("ada@example.com");
  StartedBrowserSession b = SignIn(u);
  store::OAuthClient c = Confidential();
  Params p = BaseParams(c, "openid offline_access");
  std::string code = Code(p, b.session);
  auto first = grants_->ExchangeCode(app_, c, code, p["redirect_uri"], std::nullopt);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(first->refresh_token);
  ASSERT_TRUE(Active(first->access_token));
  ASSERT_TRUE(grants_->UserInfo(app_, first->access_token).ok());

  auto second = grants_->ExchangeCode(app_, c, code, p["redirect_uri"], std::nullopt);
  EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);

  EXPECT_FALSE(Active(first->access_token));
  EXPECT_FALSE(Active(*first->refresh_token));
  EXPECT_EQ(grants_->UserInfo(app_, first->access_token).status().code(),
            StatusCode::kUnauthenticated);
  EXPECT_EQ(grants_->Refresh(app_, c, *first->refresh_token, std::nullopt, client_).status().code(),
            StatusCode::kFailedPrecondition);
  // Still reported as a replay later, after the code has expired.
  clock_.Advance(120'000);
  EXPECT_EQ(grants_->ExchangeCode(app_, c, code, p["redirect_uri"], std::nullopt).status().code(),
            StatusCode::kFailedPrecondition);
}

// The replay may be served before the first exchange has stored its grant (two requests
// with one code at the same moment): the first exchange must then fail rather than issue
// tokens the replay could not revoke.
TEST_F(OAuthServicesTest, ReplayThatWinsTheRaceLeavesTheFirstExchangeNothing) {
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
  auto replay = grants_->ExchangeCode(app_, c, code, p["redirect_uri"], std::nullopt);
  EXPECT_EQ(replay.status().code(), StatusCode::kFailedPrecondition);
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

TEST_F(OAuthServicesTest, CodeIsBoundToItsClient) {
  store::User u = SignUp("ada@example.com");
  StartedBrowserSession b = SignIn(u);
  store::OAuthClient a = Confidential("A");
  store::OAuthClient other = Confidential("B");  // same redirect URI
  Params p = BaseParams(a);
  std::string code = Code(p, b.session);
  auto r = grants_->ExchangeCode(app_, other, code, p["redirect_uri"], std::nullopt);
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_FALSE(r.ok());

  // A code of another app is unknown here.
  store::App elsewhere = apps_->Create("other", "Other").value();
  std::string code2 = Code(p, b.session);
  EXPECT_EQ(grants_->ExchangeCode(elsewhere, a, code2, p["redirect_uri"], std::nullopt)
                .status()
                .code(),
            StatusCode::kFailedPrecondition);
  EXPECT_TRUE(grants_->ExchangeCode(app_, a, code2, p["redirect_uri"], std::nullopt).ok());
}

TEST_F(OAuthServicesTest, RedirectUriMustRepeatTheAuthorizationRequests) {
  store::User u = SignUp("ada@example.com");
  StartedBrowserSession b = SignIn(u);
  store::OAuthClient c = Confidential();
  Params p = BaseParams(c);
  const std::string uri = p["redirect_uri"];

  std::string code = Code(p, b.session);
  EXPECT_EQ(grants_->ExchangeCode(app_, c, code, std::nullopt, std::nullopt).status().code(),
            StatusCode::kFailedPrecondition);
  code = Code(p, b.session);
  EXPECT_EQ(grants_->ExchangeCode(app_, c, code, std::string("https://client.example/other"),
                                  std::nullopt)
                .status()
                .code(),
            StatusCode::kFailedPrecondition);
  code = Code(p, b.session);
  EXPECT_TRUE(grants_->ExchangeCode(app_, c, code, uri, std::nullopt).ok());

  // Omitted in the authorization request: optional at the token endpoint, but if sent it
  // must be the registered one.
  Params omitted = p;
  omitted.erase("redirect_uri");
  code = Code(omitted, b.session);
  EXPECT_TRUE(grants_->ExchangeCode(app_, c, code, std::nullopt, std::nullopt).ok());
  code = Code(omitted, b.session);
  EXPECT_TRUE(grants_->ExchangeCode(app_, c, code, uri, std::nullopt).ok());
  code = Code(omitted, b.session);
  EXPECT_EQ(grants_->ExchangeCode(app_, c, code, std::string("https://evil.example/cb"),
                                  std::nullopt)
                .status()
                .code(),
            StatusCode::kFailedPrecondition);

  // A loopback request with a port must be repeated with that same port.
  store::OAuthClient pub = Public();
  Params lp = BaseParams(pub);
  lp["redirect_uri"] = "http://127.0.0.1:50000/cb";
  code = Code(lp, b.session);
  EXPECT_EQ(grants_->ExchangeCode(app_, pub, code, std::string("http://127.0.0.1:50001/cb"),
                                  std::string(kVerifier))
                .status()
                .code(),
            StatusCode::kFailedPrecondition);
  code = Code(lp, b.session);
  EXPECT_TRUE(grants_->ExchangeCode(app_, pub, code, lp["redirect_uri"], std::string(kVerifier)).ok());
}

TEST_F(OAuthServicesTest, PkceVerifierMustMatchTheChallenge) {
  store::User u = SignUp("ada@example.com");
  StartedBrowserSession b = SignIn(u);
  store::OAuthClient pub = Public();
  Params p = BaseParams(pub);
  const std::optional<std::string> uri = p["redirect_uri"];
  auto exchange = [&](std::optional<std::string> verifier) {
    std::string code = Code(p, b.session);
    return grants_->ExchangeCode(app_, pub, code, uri, verifier);
  };

  std::string other_verifier(43, 'a');
  EXPECT_EQ(exchange(other_verifier).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(exchange(std::nullopt).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(exchange(std::string(kVerifier).substr(0, 42)).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(exchange(std::string(kVerifier) + "!").status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(exchange(std::string(kChallenge)).status().code(),  // the challenge itself
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(exchange(std::string(129, 'a')).status().code(), StatusCode::kFailedPrecondition);
  auto ok = exchange(std::string(kVerifier));
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_TRUE(Active(ok->access_token));

  // A verifier for a code issued without a challenge: a downgrade attempt.
  store::OAuthClient conf = Confidential();
  Params cp = BaseParams(conf);
  std::string code = Code(cp, b.session);
  EXPECT_EQ(grants_->ExchangeCode(app_, conf, code, cp["redirect_uri"], std::string(kVerifier))
                .status()
                .code(),
            StatusCode::kFailedPrecondition);

  // A confidential client that did use PKCE must send the verifier too.
  cp["code_challenge"] = kChallenge;
  cp["code_challenge_method"] = "S256";
  code = Code(cp, b.session);
  EXPECT_EQ(grants_->ExchangeCode(app_, conf, code, cp["redirect_uri"], std::nullopt).status().code(),
            StatusCode::kFailedPrecondition);
  code = Code(cp, b.session);
  EXPECT_TRUE(grants_->ExchangeCode(app_, conf, code, cp["redirect_uri"], std::string(kVerifier)).ok());
}

TEST_F(OAuthServicesTest, DisabledUserGetsNoTokens) {
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
  EXPECT_EQ(grants_->ExchangeCode(app_, c, code, p["redirect_uri"], std::nullopt).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(grants_->Refresh(app_, c, *t.refresh_token, std::nullopt, client_).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(grants_->UserInfo(app_, t.access_token).status().code(), StatusCode::kUnauthenticated);
  EXPECT_FALSE(Active(*t.refresh_token));  // the failed refresh revoked the grant
}

// ---------------------------------------------------------------------------------------
// Refresh

TEST_F(OAuthServicesTest, RefreshRotatesAndReplayRevokesTheFamily) {
  store::User u = SignUp("ada@example.com");
  StartedBrowserSession b = SignIn(u);
  store::OAuthClient c = Confidential();
  GrantedTokens t = Grant(c, b.session, "openid offline_access");
  ASSERT_TRUE(t.refresh_token);

  auto r2 = grants_->Refresh(app_, c, *t.refresh_token, std::nullopt, client_);
  ASSERT_TRUE(r2.ok()) << r2.status().ToString();
  ASSERT_TRUE(r2->refresh_token);
  EXPECT_NE(*r2->refresh_token, *t.refresh_token);
  EXPECT_EQ(r2->scope, "openid offline_access");
  ASSERT_TRUE(r2->id_token);
  EXPECT_FALSE(Payload(*r2->id_token).contains("nonce"));
  EXPECT_EQ(Str(Payload(r2->access_token), "sid"), Str(Payload(t.access_token), "sid"));
  EXPECT_FALSE(Active(*t.refresh_token));  // rotated
  EXPECT_TRUE(Active(*r2->refresh_token));
  EXPECT_TRUE(Active(r2->access_token));

  auto r3 = grants_->Refresh(app_, c, *r2->refresh_token, std::nullopt, client_);
  ASSERT_TRUE(r3.ok());

  uint64_t reuse_before = metrics_.refresh_reuse_detected.Value();
  EXPECT_EQ(grants_->Refresh(app_, c, *t.refresh_token, std::nullopt, client_).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(metrics_.refresh_reuse_detected.Value(), reuse_before + 1);
  EXPECT_EQ(grants_->Refresh(app_, c, *r3->refresh_token, std::nullopt, client_).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_FALSE(Active(*r3->refresh_token));
  EXPECT_FALSE(Active(r3->access_token));
  EXPECT_FALSE(Active(t.access_token));
}

TEST_F(OAuthServicesTest, RefreshMayNarrowButNotWidenTheScope) {
  store::User u = SignUp("ada@example.com");
  StartedBrowserSession b = SignIn(u);
  store::OAuthClient c = Confidential();
  GrantedTokens t = Grant(c, b.session, "openid email offline_access");

  auto narrow = grants_->Refresh(app_, c, *t.refresh_token, std::string("email"), client_);
  ASSERT_TRUE(narrow.ok()) << narrow.status().ToString();
  EXPECT_EQ(narrow->scope, "email");
  EXPECT_FALSE(narrow->id_token);  // no openid this time
  EXPECT_EQ(Str(Payload(narrow->access_token), "scope"), "email");
  EXPECT_EQ(grants_->UserInfo(app_, narrow->access_token).status().code(),
            StatusCode::kPermissionDenied);

  // The grant itself is not narrowed: the next refresh may ask for all of it again.
  auto full = grants_->Refresh(app_, c, *narrow->refresh_token, std::nullopt, client_);
  ASSERT_TRUE(full.ok());
  EXPECT_EQ(full->scope, "openid email offline_access");

  auto wide = grants_->Refresh(app_, c, *full->refresh_token, std::string("openid profile"), client_);
  EXPECT_EQ(wide.status().code(), StatusCode::kPermissionDenied);
}

// A refused scope is the client's mistake, not theft: the token it presented was not
// replaced, so it must remain usable (and using it must not look like a replay).
TEST_F(OAuthServicesTest, RefusedWideningDoesNotConsumeTheRefreshToken) {
  store::User u = SignUp("ada@example.com");
  StartedBrowserSession b = SignIn(u);
  store::OAuthClient c = Confidential();
  GrantedTokens t = Grant(c, b.session, "openid offline_access");

  EXPECT_EQ(grants_->Refresh(app_, c, *t.refresh_token, std::string("openid profile"), client_)
                .status()
                .code(),
            StatusCode::kPermissionDenied);
  EXPECT_TRUE(Active(*t.refresh_token));
  auto again = grants_->Refresh(app_, c, *t.refresh_token, std::nullopt, client_);
  EXPECT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(Active(t.access_token));
  EXPECT_EQ(metrics_.refresh_reuse_detected.Value(), 0u);
}

// ...but a scope must not let a replayed (rotated) token slip past reuse detection.
TEST_F(OAuthServicesTest, ReplayWithAWiderScopeIsStillAReplay) {
  store::User u = SignUp("ada@example.com");
  StartedBrowserSession b = SignIn(u);
  store::OAuthClient c = Confidential();
  GrantedTokens t = Grant(c, b.session, "openid offline_access");
  auto r2 = grants_->Refresh(app_, c, *t.refresh_token, std::nullopt, client_);
  ASSERT_TRUE(r2.ok());

  EXPECT_EQ(grants_->Refresh(app_, c, *t.refresh_token, std::string("openid profile"), client_)
                .status()
                .code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(metrics_.refresh_reuse_detected.Value(), 1u);
  EXPECT_FALSE(Active(*r2->refresh_token));

  // An expired token with a wide scope is just invalid.
  GrantedTokens t2 = Grant(c, b.session, "openid offline_access");
  clock_.Advance(3601'000);
  EXPECT_EQ(grants_->Refresh(app_, c, *t2.refresh_token, std::string("openid profile"), client_)
                .status()
                .code(),
            StatusCode::kFailedPrecondition);
}

TEST_F(OAuthServicesTest, RefreshTokenOfAnotherClientIsRefusedAndNotConsumed) {
  store::User u = SignUp("ada@example.com");
  StartedBrowserSession b = SignIn(u);
  store::OAuthClient a = Confidential("A");
  store::OAuthClient other = Confidential("B");
  GrantedTokens t = Grant(a, b.session, "openid offline_access");

  EXPECT_EQ(grants_->Refresh(app_, other, *t.refresh_token, std::nullopt, client_).status().code(),
            StatusCode::kFailedPrecondition);
  auto r2 = grants_->Refresh(app_, a, *t.refresh_token, std::nullopt, client_);
  ASSERT_TRUE(r2.ok()) << r2.status().ToString();

  // Another client replaying A's rotated token does not get A's family revoked.
  EXPECT_EQ(grants_->Refresh(app_, other, *t.refresh_token, std::nullopt, client_).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(metrics_.refresh_reuse_detected.Value(), 0u);
  EXPECT_TRUE(grants_->Refresh(app_, a, *r2->refresh_token, std::nullopt, client_).ok());

  // Nor does an account-API refresh token work for a client (or the other way round).
  SignUp("bob@example.com");
  auto login = sessions_->Login(app_, "bob@example.com", kPassword, client_).value();
  EXPECT_EQ(grants_->Refresh(app_, a, login.refresh_token, std::nullopt, client_).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_TRUE(sessions_->Refresh(app_, login.refresh_token, client_).ok());
}

TEST_F(OAuthServicesTest, RefreshRejectsMalformedAndExpiredTokens) {
  store::User u = SignUp("ada@example.com");
  StartedBrowserSession b = SignIn(u);
  store::OAuthClient c = Confidential();
  EXPECT_EQ(grants_->Refresh(app_, c, "", std::nullopt, client_).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(grants_->Refresh(app_, c, "garbage", std::nullopt, client_).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(grants_->Refresh(app_, c, "tsr_unknown", std::nullopt, client_).status().code(),
            StatusCode::kFailedPrecondition);

  GrantedTokens t = Grant(c, b.session, "openid offline_access");
  clock_.Advance(3601'000);  // refresh_token_ttl_s = 3600
  EXPECT_FALSE(Active(*t.refresh_token));
  EXPECT_EQ(grants_->Refresh(app_, c, *t.refresh_token, std::nullopt, client_).status().code(),
            StatusCode::kFailedPrecondition);
}

// ---------------------------------------------------------------------------------------
// Introspection and revocation

TEST_F(OAuthServicesTest, IntrospectDescribesActiveTokens) {
  store::User u = SignUp("ada@example.com");
  StartedBrowserSession b = SignIn(u);
  store::OAuthClient c = Confidential();
  GrantedTokens t = Grant(c, b.session, "openid email offline_access");

  json::object at = grants_->Introspect(app_, t.access_token, "access_token").value();
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
  json::object rt = grants_->Introspect(app_, *t.refresh_token, "access_token").value();
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
  EXPECT_EQ(Str(grants_->Introspect(app_, login.refresh_token, "").value(), "client_id"),
            "account-api");

  // Expired access token.
  clock_.Advance(601'000 + 30'000);
  EXPECT_FALSE(Active(t.access_token));
}

TEST_F(OAuthServicesTest, IntrospectReportsAnythingElseAsInactive) {
  store::User u = SignUp("ada@example.com");
  StartedBrowserSession b = SignIn(u);
  store::OAuthClient c = Confidential();
  GrantedTokens t = Grant(c, b.session, "openid offline_access");

  for (const std::string& junk : std::vector<std::string>{"", "garbage", "a.b.c", "tsr_unknown", "tac_x", "tbs_x",
                           std::string(5000, 'a'), t.access_token + "x",
                           "tsr_" + std::string(300, 'a')}) {
    auto r = grants_->Introspect(app_, junk, "");
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
  AuthorizationRequest req = authz_->Validate(other, p);
  ASSERT_FALSE(req.failure);
  std::string code = authz_->IssueCode(other, req, ob.session).value();
  auto ot = grants_->ExchangeCode(other, oc, code, p["redirect_uri"], std::nullopt);
  ASSERT_TRUE(ot.ok()) << ot.status().ToString();
  EXPECT_TRUE(Active(ot->access_token, &other));
  EXPECT_FALSE(Active(ot->access_token));
  EXPECT_FALSE(Active(*ot->refresh_token));
  EXPECT_EQ(grants_->UserInfo(app_, ot->access_token).status().code(), StatusCode::kUnauthenticated);

  // A revoked grant.
  ASSERT_TRUE(store_
                  ->RevokeSessionById(app_.id, Str(Payload(t.access_token), "sid"),
                                      store::RevokeReason::kTokenRevoked, clock_.NowMillis())
                  .ok());
  EXPECT_FALSE(Active(t.access_token));
  EXPECT_FALSE(Active(*t.refresh_token));
}

TEST_F(OAuthServicesTest, RevokeEndsTheGrantOfItsOwnClientOnly) {
  store::User u = SignUp("ada@example.com");
  StartedBrowserSession b = SignIn(u);
  store::OAuthClient a = Confidential("A");
  store::OAuthClient other = Confidential("B");

  // A refresh token: its grant ends (its access tokens too).
  GrantedTokens t1 = Grant(a, b.session, "openid offline_access");
  EXPECT_TRUE(grants_->Revoke(app_, other, *t1.refresh_token).ok());  // ignored
  EXPECT_TRUE(grants_->Revoke(app_, other, t1.access_token).ok());    // ignored
  EXPECT_TRUE(Active(*t1.refresh_token));
  EXPECT_TRUE(Active(t1.access_token));
  ASSERT_TRUE(grants_->Revoke(app_, a, *t1.refresh_token).ok());
  EXPECT_FALSE(Active(*t1.refresh_token));
  EXPECT_FALSE(Active(t1.access_token));
  EXPECT_TRUE(grants_->Revoke(app_, a, *t1.refresh_token).ok());  // again: fine

  // An access token: the whole grant ends.
  GrantedTokens t2 = Grant(a, b.session, "openid offline_access");
  ASSERT_TRUE(grants_->Revoke(app_, a, t2.access_token).ok());
  EXPECT_FALSE(Active(t2.access_token));
  EXPECT_FALSE(Active(*t2.refresh_token));
  EXPECT_EQ(grants_->Refresh(app_, a, *t2.refresh_token, std::nullopt, client_).status().code(),
            StatusCode::kFailedPrecondition);

  // Unknown and malformed tokens are ignored.
  for (const std::string& junk : std::vector<std::string>{"", "garbage", "tsr_unknown", "a.b.c"}) {
    EXPECT_TRUE(grants_->Revoke(app_, a, junk).ok()) << junk;
  }
  // Other grants of the same client survive; so does the browser session.
  GrantedTokens t3 = Grant(a, b.session, "openid offline_access");
  GrantedTokens t4 = Grant(a, b.session, "openid offline_access");
  ASSERT_TRUE(grants_->Revoke(app_, a, *t3.refresh_token).ok());
  EXPECT_TRUE(Active(*t4.refresh_token));
  EXPECT_TRUE(browser_->Resolve(app_, b.cookie_value).ok());

  // An account-API token cannot be revoked by a client.
  SignUp("bob@example.com");
  auto login = sessions_->Login(app_, "bob@example.com", kPassword, client_).value();
  EXPECT_TRUE(grants_->Revoke(app_, a, login.refresh_token).ok());
  EXPECT_TRUE(grants_->Revoke(app_, a, login.access_token).ok());
  EXPECT_TRUE(Active(login.refresh_token));
  EXPECT_TRUE(Active(login.access_token));
}

// ---------------------------------------------------------------------------------------
// UserInfo

TEST_F(OAuthServicesTest, UserInfoReleasesClaimsByScope) {
  store::User u = SignUp("ada@example.com", "ada");
  StartedBrowserSession b = SignIn(u);
  store::OAuthClient c = Confidential();

  json::object only = grants_->UserInfo(app_, Grant(c, b.session, "openid").access_token).value();
  EXPECT_EQ(only, (json::object{{"sub", u.id}}));

  json::object email = grants_->UserInfo(app_, Grant(c, b.session, "openid email").access_token).value();
  EXPECT_EQ(Str(email, "sub"), u.id);
  EXPECT_EQ(Str(email, "email"), "ada@example.com");
  EXPECT_EQ(email.at("email_verified"), json::value(false));
  EXPECT_FALSE(email.contains("preferred_username"));
  EXPECT_FALSE(email.contains("name"));

  GrantedTokens pt = Grant(c, b.session, "openid profile");
  json::object profile = grants_->UserInfo(app_, pt.access_token).value();
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

TEST_F(OAuthServicesTest, UserInfoNeedsAUsersOpenIdToken) {
  store::User u = SignUp("ada@example.com");
  StartedBrowserSession b = SignIn(u);
  store::OAuthClient c = Confidential();

  GrantedTokens no_openid = Grant(c, b.session, "profile email");
  EXPECT_EQ(grants_->UserInfo(app_, no_openid.access_token).status().code(),
            StatusCode::kPermissionDenied);

  // A client-credentials token: no user, no session.
  auto cc = tokens_->Issue({issuer_, issuer_, c.client_id, c.client_id, "openid", "", 0});
  ASSERT_TRUE(cc.ok());
  EXPECT_EQ(grants_->UserInfo(app_, cc->token).status().code(), StatusCode::kUnauthenticated);

  // An account-API token has no openid scope.
  auto login = sessions_->Login(app_, "ada@example.com", kPassword, client_).value();
  EXPECT_NE(grants_->UserInfo(app_, login.access_token).status().code(), StatusCode::kOk);

  for (const std::string& junk : std::vector<std::string>{"", "garbage", "a.b.c"}) {
    EXPECT_EQ(grants_->UserInfo(app_, junk).status().code(), StatusCode::kUnauthenticated) << junk;
  }
  GrantedTokens t = Grant(c, b.session, "openid");
  clock_.Advance(631'000);  // expired (600 s + 30 s leeway)
  EXPECT_EQ(grants_->UserInfo(app_, t.access_token).status().code(), StatusCode::kUnauthenticated);
}

// ---------------------------------------------------------------------------------------
// id_token_hint

TEST_F(OAuthServicesTest, VerifyIdTokenHint) {
  store::User u = SignUp("ada@example.com");
  StartedBrowserSession b = SignIn(u);
  store::OAuthClient c = Confidential();
  GrantedTokens t = Grant(c, b.session, "openid");
  ASSERT_TRUE(t.id_token);

  auto hint = grants_->VerifyIdTokenHint(app_, *t.id_token);
  ASSERT_TRUE(hint.ok()) << hint.status().ToString();
  EXPECT_EQ(hint->subject, u.id);
  EXPECT_EQ(hint->client_id, c.client_id);
  EXPECT_EQ(hint->session_id, Str(Payload(t.access_token), "sid"));

  clock_.Advance(2 * 3600 * 1000);  // long expired (id_token_ttl_s = 3600): still a good hint
  EXPECT_TRUE(grants_->VerifyIdTokenHint(app_, *t.id_token).ok());

  // Tampered payload: same header and signature, another subject.
  std::string token = *t.id_token;
  size_t a = token.find('.'), z = token.rfind('.');
  json::object claims = Payload(token);
  claims["sub"] = "someone-else";
  std::string forged = token.substr(0, a + 1) +
                       crypto::Base64UrlEncode(json::serialize(claims)) + token.substr(z);
  EXPECT_FALSE(grants_->VerifyIdTokenHint(app_, forged).ok());
  // Tampered signature.
  std::string bad_sig = token;
  bad_sig[z + 5] = bad_sig[z + 5] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(grants_->VerifyIdTokenHint(app_, bad_sig).ok());
  EXPECT_FALSE(grants_->VerifyIdTokenHint(app_, token.substr(0, z)).ok());
  EXPECT_FALSE(grants_->VerifyIdTokenHint(app_, "garbage").ok());

  // Another app's issuer (the signing keys are shared, the issuer is not).
  store::App other = apps_->Create("other", "Other").value();
  EXPECT_FALSE(grants_->VerifyIdTokenHint(other, *t.id_token).ok());

  // An access token is not an ID token.
  EXPECT_FALSE(grants_->VerifyIdTokenHint(app_, t.access_token).ok());
}

// ---------------------------------------------------------------------------------------
// The account API

TEST_F(OAuthServicesTest, OAuthAccessTokensDoNotOpenTheAccountApi) {
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
