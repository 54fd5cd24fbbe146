// Pushed authorization requests (RFC 9126) in AuthorizationService: Push validates as
// /authorize would and stores the parameters; a request_uri then stands for them — only
// client_id and request_uri are read, bound to the client that pushed, live for its lifetime,
// spent by the code (or the denial) that ends the flow; a client may be required to push;
// prompt=login is met by a sign-in after the push.
#include <gtest/gtest.h>

#include "tests/support/oauth_fixture.h"

namespace tessera::services {
namespace {

using namespace testing_oauth;

class PushedAuthorizationTest : public OAuthFixture {
 protected:
  void SetUp() override {
    OAuthFixture::SetUp();
    app_.settings.par = true;
  }

  std::string PushOk(const store::OAuthClient& c, Params p) {
    auto pushed = authz_->Push(app_, c, std::move(p));
    EXPECT_TRUE(pushed.ok()) << ErrorOf(pushed) << ": " << (pushed.ok() ? "" : pushed.error().description);
    return pushed.ok() ? pushed->request_uri : std::string();
  }

  // What the browser brings to /authorize: client_id and request_uri (and whatever else).
  static Params ByReference(const store::OAuthClient& c, const std::string& request_uri) {
    return {{"client_id", c.client_id}, {"request_uri", request_uri}};
  }
};

TEST_F(PushedAuthorizationTest, ARequestUriStandsForThePushedParametersAndNothingElse) {
  store::OAuthClient c = Confidential();
  auto pushed = authz_->Push(app_, c, BaseParams(c, "openid profile"));
  ASSERT_TRUE(pushed.ok()) << ErrorOf(pushed);
  EXPECT_EQ(pushed->request_uri.rfind("urn:ietf:params:oauth:request_uri:tpr_", 0), 0u);
  EXPECT_EQ(pushed->expires_in, 600);

  // Parameters next to the request_uri are ignored (RFC 9126 §4): the pushed ones count.
  Params outer = ByReference(c, pushed->request_uri);
  outer["scope"] = "openid profile email offline_access";
  outer["redirect_uri"] = "https://evil.example/cb";
  outer["state"] = "forged";
  ValidAuthorization v = Valid(outer);
  EXPECT_EQ(v.scopes, (std::vector<std::string>{"openid", "profile"}));
  EXPECT_EQ(v.redirect.uri(), kConfidentialRedirect);
  EXPECT_EQ(v.request.state, "st-123");
  EXPECT_TRUE(v.request.pushed);
  EXPECT_FALSE(v.pushed_hash.empty());
  // Only the reference travels through sign-in and consent.
  EXPECT_EQ(v.carried, ByReference(c, pushed->request_uri));
}

TEST_F(PushedAuthorizationTest, ARequestUriIsTheClientsLiveAndUsedOnce) {
  store::User u = SignUp("ada@example.com", "ada");
  StartedBrowserSession b = SignIn(u);
  store::OAuthClient c = Confidential();
  store::OAuthClient other = Confidential("Other");
  std::string uri = PushOk(c, BaseParams(c));

  AuthorizeRefusal foreign = Invalid(ByReference(other, uri));
  EXPECT_EQ(foreign.error.code, "invalid_request_uri");
  EXPECT_FALSE(foreign.redirect) << "never redirected: nothing about it can be trusted";
  EXPECT_EQ(Invalid(ByReference(c, uri + "x")).error.code, "invalid_request_uri");
  EXPECT_EQ(Invalid(ByReference(c, "urn:ietf:params:oauth:request_uri:tpr_" + std::string(43, 'A'))).error.code,
            "invalid_request_uri");
  EXPECT_EQ(Invalid(ByReference(c, "https://client.example/request.jwt")).error.code, "invalid_request_uri");
  EXPECT_EQ(Invalid({{"request_uri", uri}}).error.code, "invalid_request");

  // The code spends it: the same request_uri cannot start or finish another flow.
  ValidAuthorization v = Valid(ByReference(c, uri));
  auto code = authz_->IssueCode(app_, v, b.session);
  ASSERT_TRUE(code.ok()) << code.status().ToString();
  auto second = authz_->IssueCode(app_, v, b.session);  // a second tab that validated before
  EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(Invalid(ByReference(c, uri)).error.code, "invalid_request_uri");
  // The code works as any other.
  auto t = Exchange(c, *code, kConfidentialRedirect, std::nullopt);
  EXPECT_TRUE(t.ok()) << ErrorOf(t);

  // Expired after its lifetime, unused or not.
  std::string late = PushOk(c, BaseParams(c));
  clock_.Advance(600'000);
  EXPECT_EQ(Invalid(ByReference(c, late)).error.code, "invalid_request_uri");

  // A denial spends it too.
  std::string denied = PushOk(c, BaseParams(c));
  authz_->EndPushed(app_, Valid(ByReference(c, denied)));
  EXPECT_EQ(Invalid(ByReference(c, denied)).error.code, "invalid_request_uri");
}

TEST_F(PushedAuthorizationTest, PushRefusesWhatAuthorizeWouldAsJsonErrors) {
  store::OAuthClient c = Confidential();
  Params p = BaseParams(c);
  p["redirect_uri"] = "https://evil.example/cb";
  auto bad_redirect = authz_->Push(app_, c, p);
  ASSERT_FALSE(bad_redirect.ok());
  EXPECT_EQ(bad_redirect.error().code, "invalid_request");
  EXPECT_EQ(ErrorOf(authz_->Push(app_, c, BaseParams(c, "openid admin"))), "invalid_scope");
  p = BaseParams(c);
  p["response_type"] = "token";
  EXPECT_EQ(ErrorOf(authz_->Push(app_, c, p)), "unsupported_response_type");
  p = BaseParams(c);
  p["request_uri"] = "urn:ietf:params:oauth:request_uri:tpr_x";
  EXPECT_EQ(ErrorOf(authz_->Push(app_, c, p)), "invalid_request");
  store::OAuthClient pub = Public();
  p = BaseParams(pub);
  p.erase("code_challenge");
  p.erase("code_challenge_method");
  EXPECT_EQ(ErrorOf(authz_->Push(app_, pub, p)), "invalid_request");  // PKCE still required
  // Off for the app: refused.
  store::App off = app_;
  off.settings.par = false;
  EXPECT_EQ(ErrorOf(authz_->Push(off, c, BaseParams(c))), "invalid_request");
  // And there a request_uri is not understood at all (by redirect, as before).
  std::string uri = PushOk(c, BaseParams(c));
  Params plain = BaseParams(c);
  plain["request_uri"] = uri;
  AuthorizeVerdict v = authz_->Validate(off, plain);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().error.code, "request_uri_not_supported");
}

TEST_F(PushedAuthorizationTest, TheClientsSecretIsNeverStoredWithTheRequest) {
  store::OAuthClient c = Confidential();
  Params p = BaseParams(c);
  p["client_secret"] = "tcs_the-secret";
  std::string uri = PushOk(c, p);
  auto stored = store_->GetPushedRequest(app_.id, crypto::TokenHash(uri));
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->params_json.find("tcs_the-secret"), std::string::npos) << stored->params_json;
  EXPECT_EQ(stored->client_id, c.client_id);
}

TEST_F(PushedAuthorizationTest, AClientMayBeRequiredToPush) {
  ClientRegistration r;
  r.name = "Bank";
  r.redirect_uris = {kConfidentialRedirect};
  r.require_pushed_authorization_requests = true;
  store::OAuthClient bank = Register(std::move(r));
  AuthorizeRefusal plain = Invalid(BaseParams(bank));
  EXPECT_EQ(plain.error.code, "invalid_request");
  EXPECT_TRUE(plain.redirect) << "the client and its redirect URI are known: by redirect";
  std::string uri = PushOk(bank, BaseParams(bank));
  EXPECT_TRUE(Valid(ByReference(bank, uri)).request.pushed);
}

TEST_F(PushedAuthorizationTest, PromptLoginIsMetByASignInAfterThePush) {
  store::User u = SignUp("ada@example.com", "ada");
  StartedBrowserSession before = SignIn(u);
  clock_.Advance(1'000);
  store::OAuthClient c = Confidential();
  Params p = BaseParams(c);
  p["prompt"] = "login";
  std::string uri = PushOk(c, p);
  ValidAuthorization v = Valid(ByReference(c, uri));
  EXPECT_TRUE(authz_->NeedsLogin(v, before.session));
  clock_.Advance(1'000);
  StartedBrowserSession after = SignIn(u);
  EXPECT_FALSE(authz_->NeedsLogin(v, after.session));
}

}  // namespace
}  // namespace tessera::services
