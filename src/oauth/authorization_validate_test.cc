// AuthorizationService::Validate against a real (SQLite) store: who may be answered by
// redirect and who only on an error page, the redirect URI rules, and each check as the
// service applies it (the table itself: authorize_checks_test.cc).
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "tests/support/oauth_fixture.h"

namespace tessera::services {
namespace {

using namespace testing_oauth;
namespace json = boost::json;

class AuthorizationValidateTest : public OAuthFixture {};

TEST_F(AuthorizationValidateTest, ValidateNeverRedirectsUntilClientAndRedirectUriAreKnown) {
  store::OAuthClient c = Confidential();
  Params p = BaseParams(c);

  Params no_client = p;
  no_client.erase("client_id");
  AuthorizeRefusal f = Invalid(no_client);
  EXPECT_FALSE(f.redirect.has_value());
  EXPECT_EQ(f.error.code, "invalid_request");

  Params unknown = p;
  unknown["client_id"] = "no-such-client";
  f = Invalid(unknown);
  EXPECT_FALSE(f.redirect.has_value());
  EXPECT_EQ(f.error.code, "invalid_client");

  Params evil = p;
  evil["redirect_uri"] = "https://evil.example/cb";
  f = Invalid(evil);
  EXPECT_FALSE(f.redirect.has_value());
  EXPECT_EQ(f.error.code, "invalid_request");

  // A prefix / suffix of the registered URI is not it.
  for (const std::string& uri : std::vector<std::string>{"https://client.example/cb/x", "https://client.example/c",
                          "https://client.example/cb?x=1", "https://client.example/cb#f",
                          "https://client.example:8443/cb", ""}) {
    Params q = p;
    q["redirect_uri"] = uri;
    f = Invalid(q);
    EXPECT_FALSE(f.redirect.has_value()) << uri;
  }

  // Even with every other parameter wrong, a bad redirect URI is shown, not redirected.
  Params both = evil;
  both["response_type"] = "token";
  both["scope"] = "admin";
  EXPECT_FALSE(Invalid(both).redirect.has_value());

  // Another app's client is unknown here.
  store::App other = apps_->Create("other", "Other").value();
  ClientRegistration r;
  r.name = "Elsewhere";
  r.redirect_uris = {kConfidentialRedirect};
  store::OAuthClient foreign = Register(std::move(r), &other);
  f = Invalid(BaseParams(foreign));
  EXPECT_FALSE(f.redirect.has_value());
  EXPECT_EQ(f.error.code, "invalid_client");
}

// OIDC Core §3.1.2.1 id_token_hint (issue 12): a hint must be an ID token of ours (expired is
// fine); one naming another user than the signed-in one is not answered with a code.
TEST_F(AuthorizationValidateTest, IdTokenHintMustBeOursAndNameTheSignedInUser) {
  store::User ada = SignUp("ada@example.com");
  store::User bob = SignUp("bob@example.com");
  StartedBrowserSession a = SignIn(ada);
  StartedBrowserSession b = SignIn(bob);
  store::OAuthClient c = Confidential();
  std::string ada_hint = *Grant(c, a.session, "openid").id_token;
  clock_.Advance(7200'000);  // the hint has expired: it still names Ada

  Params p = BaseParams(c);
  p["id_token_hint"] = ada_hint;
  ValidAuthorization req = Valid(p);
  ASSERT_TRUE(req.hinted_subject);
  EXPECT_EQ(*req.hinted_subject, ada.id);
  EXPECT_FALSE(authz_->HintNamesAnotherUser(req, a.session));
  EXPECT_TRUE(authz_->HintNamesAnotherUser(req, b.session));

  for (std::string bad : {std::string("garbage"), ada_hint + "x",
                          ada_hint.substr(0, ada_hint.rfind('.') + 1) + "AAAA"}) {
    p["id_token_hint"] = bad;
    AuthorizeRefusal refused = Invalid(p);
    EXPECT_TRUE(refused.redirect.has_value()) << bad;
    EXPECT_EQ(refused.error.code, "invalid_request") << bad;
  }
  p.erase("id_token_hint");
  EXPECT_FALSE(Valid(p).hinted_subject);
}

TEST_F(AuthorizationValidateTest, ValidateAllowsOmittedRedirectUriOnlyWithExactlyOneRegistered) {
  store::OAuthClient one = Confidential();
  Params p = BaseParams(one, "profile");  // plain OAuth: no openid
  p.erase("redirect_uri");
  ValidAuthorization req = Valid(p);
  EXPECT_EQ(req.redirect.uri(), kConfidentialRedirect);
  EXPECT_FALSE(req.redirect.named_in_request());

  // An OpenID request must name it (OIDC Core §3.1.2.1), and is told so on a page; so must a
  // request without scope, which gets the client's default scopes (openid among them).
  for (std::string scope : {"openid", "openid profile", ""}) {
    Params o = BaseParams(one, scope);
    o.erase("redirect_uri");
    if (scope.empty()) o.erase("scope");
    AuthorizeRefusal refused = Invalid(o);
    EXPECT_FALSE(refused.redirect.has_value()) << scope;
    EXPECT_EQ(refused.error.code, "invalid_request") << scope;
  }

  store::OAuthClient two = Public();  // two registered URIs
  Params q = BaseParams(two);
  q.erase("redirect_uri");
  AuthorizeRefusal f = Invalid(q);
  EXPECT_FALSE(f.redirect.has_value());
  EXPECT_EQ(f.error.code, "invalid_request");
}

TEST_F(AuthorizationValidateTest, LoopbackRedirectMatchesAnyPortButNothingElse) {
  store::OAuthClient c = Public();  // registered http://127.0.0.1/cb
  Params p = BaseParams(c);
  p["redirect_uri"] = "http://127.0.0.1:51234/cb";
  ValidAuthorization req = Valid(p);
  EXPECT_EQ(req.redirect.uri(), "http://127.0.0.1:51234/cb");  // answered where it asked
  EXPECT_TRUE(req.redirect.named_in_request());

  for (const std::string& uri : std::vector<std::string>{"http://127.0.0.1:51234/other", "http://localhost:51234/cb",
                          "http://127.0.0.2:51234/cb", "https://127.0.0.1:51234/cb",
                          "http://127.0.0.1:51234/cb?x=1", "http://127.0.0.1:51234/cb#frag",
                          "http://user@127.0.0.1:51234/cb", "http://127.0.0.1:51234/cb/"}) {
    Params q = p;
    q["redirect_uri"] = uri;
    AuthorizeRefusal f = Invalid(q);
    EXPECT_FALSE(f.redirect.has_value()) << uri;
  }

  EXPECT_TRUE(RedirectUriMatches("http://[::1]/cb", "http://[::1]:8080/cb"));
  EXPECT_TRUE(RedirectUriMatches("http://localhost:3000/cb", "http://localhost:4000/cb"));
  // Not loopback: the port is part of the URI.
  EXPECT_FALSE(RedirectUriMatches("https://client.example/cb", "https://client.example:444/cb"));
  EXPECT_FALSE(RedirectUriMatches("http://127.0.0.1/cb", "http://localhost/cb"));
}

TEST_F(AuthorizationValidateTest, ValidateResponseType) {
  store::OAuthClient c = Confidential();
  Params p = BaseParams(c);
  for (const std::string& rt : std::vector<std::string>{"token", "id_token", "code id_token", "code token", "CODE"}) {
    p["response_type"] = rt;
    AuthorizeRefusal f = Invalid(p);
    EXPECT_TRUE(f.redirect.has_value()) << rt;
    EXPECT_EQ(f.error.code, "unsupported_response_type") << rt;
  }
  p.erase("response_type");
  AuthorizeRefusal f = Invalid(p);
  EXPECT_TRUE(f.redirect.has_value());
  EXPECT_EQ(f.error.code, "invalid_request");

  Params fragment = BaseParams(c);
  fragment["response_mode"] = "fragment";
  EXPECT_EQ(Invalid(fragment).error.code, "invalid_request");
}

TEST_F(AuthorizationValidateTest, ValidateScope) {
  store::OAuthClient c = Confidential();  // openid profile email offline_access
  Params p = BaseParams(c, "openid admin");
  AuthorizeRefusal f = Invalid(p);
  EXPECT_TRUE(f.redirect.has_value());
  EXPECT_EQ(f.error.code, "invalid_scope");

  p["scope"] = "openid\tprofile";
  EXPECT_EQ(Invalid(p).error.code, "invalid_scope");

  // OpenID claim scopes it was not registered for are left out, not refused (issue 12: the
  // Basic OP plan asks any client for address and phone).
  p["scope"] = "openid address email phone";
  EXPECT_EQ(Valid(p).scopes, (std::vector<std::string>{"openid", "email"}));

  // No scope: everything the client may ask for except offline_access.
  p["scope"] = "";
  ValidAuthorization req = Valid(p);
  EXPECT_EQ(req.scopes, (std::vector<std::string>{"openid", "profile", "email"}));
  p.erase("scope");
  req = Valid(p);
  EXPECT_EQ(req.scopes, (std::vector<std::string>{"openid", "profile", "email"}));

  p["scope"] = "openid  email openid";  // extra spaces, duplicates
  req = Valid(p);
  EXPECT_EQ(req.scopes, (std::vector<std::string>{"openid", "email"}));
}

TEST_F(AuthorizationValidateTest, ValidatePkce) {
  store::OAuthClient pub = Public();
  Params p = BaseParams(pub);
  ValidAuthorization ok = Valid(p);
  EXPECT_EQ(ok.request.code_challenge, kChallenge);

  Params none = p;
  none.erase("code_challenge");
  none.erase("code_challenge_method");
  AuthorizeRefusal f = Invalid(none);
  EXPECT_TRUE(f.redirect.has_value());
  EXPECT_EQ(f.error.code, "invalid_request");

  Params plain = p;
  plain["code_challenge_method"] = "plain";
  EXPECT_EQ(Invalid(plain).error.code, "invalid_request");

  Params no_method = p;
  no_method.erase("code_challenge_method");  // defaults to plain (RFC 7636 §4.3): refused
  EXPECT_EQ(Invalid(no_method).error.code, "invalid_request");

  for (const std::string& bad : std::vector<std::string>{std::string(kChallenge).substr(0, 42), std::string(kChallenge) + "A",
                          "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw+cM",
                          "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw=cM"}) {
    Params q = p;
    q["code_challenge"] = bad;
    AuthorizeRefusal g = Invalid(q);
    EXPECT_TRUE(g.redirect.has_value()) << bad;
    EXPECT_EQ(g.error.code, "invalid_request") << bad;
  }

  // A confidential client may skip PKCE, but not send a method alone.
  store::OAuthClient conf = Confidential();
  Params c = BaseParams(conf);
  EXPECT_TRUE(Valid(c).request.code_challenge.empty());
  c["code_challenge_method"] = "S256";
  EXPECT_EQ(Invalid(c).error.code, "invalid_request");
}

TEST_F(AuthorizationValidateTest, ValidatePromptAndMaxAge) {
  store::OAuthClient c = Confidential();
  Params p = BaseParams(c);
  p["prompt"] = "none login";
  AuthorizeRefusal f = Invalid(p);
  EXPECT_TRUE(f.redirect.has_value());
  EXPECT_EQ(f.error.code, "invalid_request");
  p["prompt"] = "sometimes";
  EXPECT_EQ(Invalid(p).error.code, "invalid_request");
  p["prompt"] = "login consent";
  ValidAuthorization req = Valid(p);
  EXPECT_TRUE(req.Prompts("login"));
  EXPECT_TRUE(req.Prompts("consent"));
  EXPECT_FALSE(req.Prompts("none"));

  Params m = BaseParams(c);
  for (const std::string& bad : std::vector<std::string>{"-1", "abc", "", "1.5", " 10", "12345678901", "+5", "1\xc3\xa9", "\xd9\xa3"}) {
    m["max_age"] = bad;
    AuthorizeRefusal g = Invalid(m);
    EXPECT_TRUE(g.redirect.has_value()) << bad;
    EXPECT_EQ(g.error.code, "invalid_request") << bad;
  }
  m["max_age"] = "0";
  EXPECT_EQ(Valid(m).max_age_s, 0);
  m["max_age"] = "3600";
  EXPECT_EQ(Valid(m).max_age_s, 3600);
  EXPECT_FALSE(Valid(BaseParams(c)).max_age_s.has_value());
}

TEST_F(AuthorizationValidateTest, ValidateRefusesRequestObjectsAndLongState) {
  store::OAuthClient c = Confidential();
  Params p = BaseParams(c);
  p["request"] = "eyJhbGciOiJub25lIn0.e30.";
  AuthorizeRefusal f = Invalid(p);
  EXPECT_TRUE(f.redirect.has_value());
  EXPECT_EQ(f.error.code, "request_not_supported");

  Params u = BaseParams(c);
  u["request_uri"] = "https://client.example/req.jwt";
  f = Invalid(u);
  EXPECT_TRUE(f.redirect.has_value());
  EXPECT_EQ(f.error.code, "request_uri_not_supported");

  Params s = BaseParams(c);
  s["state"] = std::string(2049, 'x');
  f = Invalid(s);
  EXPECT_EQ(f.error.code, "invalid_request");
  EXPECT_TRUE(f.redirect.has_value());
  EXPECT_TRUE(f.state.empty());  // never echoed back
  s["state"] = std::string(2048, 'x');
  EXPECT_EQ(Valid(s).request.state.size(), 2048u);

  Params n = BaseParams(c);
  n["nonce"] = std::string(513, 'n');
  EXPECT_EQ(Invalid(n).error.code, "invalid_request");
}

TEST_F(AuthorizationValidateTest, ValidateRefusesClientWithoutCodeGrant) {
  ClientRegistration r;
  r.name = "Machine";
  r.grant_types = {"client_credentials"};
  r.scopes = {"reports"};
  r.redirect_uris = {kConfidentialRedirect};
  store::OAuthClient c = Register(std::move(r));
  Params p = BaseParams(c, "reports");
  AuthorizeRefusal f = Invalid(p);
  EXPECT_TRUE(f.redirect.has_value());
  EXPECT_EQ(f.error.code, "unauthorized_client");
}

}  // namespace
}  // namespace tessera::services
