// POST /oauth/introspect, POST /oauth/revoke and /oauth/userinfo through their handlers: who
// may ask, what a bad request hears, and that nothing about a token leaks to the wrong caller.
#include <gtest/gtest.h>

#include "tests/support/oauth_endpoint_fixture.h"

namespace tessera::services {
namespace {

using namespace testing_oauth;
namespace json = boost::json;

class TokenIntrospectionEndpointTest : public OAuthEndpointFixture {
 protected:
  void SetUp() override {
    OAuthEndpointFixture::SetUp();
    ClientRegistration r;
    r.name = "Resource server";
    r.redirect_uris = {kConfidentialRedirect};
    server_ = RegisterConfidential(std::move(r));
    store::User u = SignUp("ada@example.com");
    granted_ = Grant(server_.client, SignIn(u).session, "openid offline_access");
  }
  Headers Auth() const { return {{"Authorization", Basic(server_.client.client_id, server_.secret)}}; }

  Credentials server_;
  GrantedTokens granted_;
};

TEST_F(TokenIntrospectionEndpointTest, IntrospectionIsForAuthenticatedClientsOnly) {
  std::string body = Form({{"token", granted_.access_token}});
  http::Response ok = PostForm(Path("introspect"), body, Auth());
  ASSERT_EQ(ok.status, 200u) << ok.body;
  EXPECT_EQ(JsonOf(ok).at("active"), json::value(true));
  EXPECT_EQ(HeaderOf(ok, "Cache-Control"), "no-store");

  // A public client identifies itself but does not authenticate: refused.
  store::OAuthClient pub = Public();
  http::Response r = PostForm(Path("introspect"), Form({{"token", granted_.access_token},
                                                         {"client_id", pub.client_id}}));
  EXPECT_EQ(r.status, 401u);
  EXPECT_EQ(OAuthErrorOf(r), "invalid_client");
  EXPECT_EQ(OAuthErrorOf(PostForm(Path("introspect"), body)), "invalid_client");

  EXPECT_EQ(OAuthErrorOf(PostForm(Path("introspect"), "", Auth())), "invalid_request");
  EXPECT_EQ(OAuthErrorOf(PostForm(Path("introspect"), body + "&token=x", Auth())), "invalid_request");
  EXPECT_EQ(OAuthErrorOf(Send(verb::verb::post, Path("introspect"), body,
                              {{"Content-Type", "application/json"}, Auth()[0]})),
            "invalid_request");
  // Junk of any size is just inactive, and says nothing more.
  for (const std::string& junk : {std::string("garbage"), std::string(20'000, 'a'),
                                  std::string("tsr_") + std::string(43, 'a')}) {
    http::Response inactive = PostForm(Path("introspect"), Form({{"token", junk}}), Auth());
    EXPECT_EQ(inactive.status, 200u);
    EXPECT_EQ(JsonOf(inactive), (json::object{{"active", false}}));
  }
}

TEST_F(TokenIntrospectionEndpointTest, RevocationAnswers200ForAnythingAndAllowsAnyOrigin) {
  for (const std::string& token : {std::string("garbage"), std::string("tsr_unknown"),
                                   *granted_.refresh_token}) {
    http::Response r = PostForm(Path("revoke"), Form({{"token", token}}), Auth());
    EXPECT_EQ(r.status, 200u) << r.body;
    EXPECT_EQ(r.body, "");
    EXPECT_EQ(HeaderOf(r, "Access-Control-Allow-Origin"), "*");
  }
  EXPECT_FALSE(Active(granted_.access_token));  // the grant ended with its refresh token
  http::Response missing = PostForm(Path("revoke"), "", Auth());
  EXPECT_EQ(OAuthErrorOf(missing), "invalid_request");
  EXPECT_EQ(HeaderOf(missing, "Access-Control-Allow-Origin"), "*");
  http::Response both = PostForm(Path("revoke"),
                                 Form({{"token", "x"}, {"client_secret", server_.secret}}), Auth());
  EXPECT_EQ(OAuthErrorOf(both), "invalid_request");
}

TEST_F(TokenIntrospectionEndpointTest, UserInfoTakesTheTokenOneWayOnly) {
  http::Response ok = Send(verb::verb::get, Path("userinfo"), "",
                           {{"Authorization", "Bearer " + granted_.access_token}});
  ASSERT_EQ(ok.status, 200u) << ok.body;
  EXPECT_FALSE(Str(JsonOf(ok), "sub").empty());
  EXPECT_EQ(PostForm(Path("userinfo"), Form({{"access_token", granted_.access_token}})).status, 200u);

  http::Response both = PostForm(Path("userinfo"), Form({{"access_token", granted_.access_token}}),
                                 {{"Authorization", "Bearer " + granted_.access_token}});
  EXPECT_EQ(both.status, 400u);
  EXPECT_EQ(Str(JsonOf(both), "error"), "invalid_request");

  // No token: a bare challenge (RFC 6750 §3.1), no error code.
  http::Response none = Send(verb::verb::get, Path("userinfo"));
  EXPECT_EQ(none.status, 401u);
  EXPECT_EQ(HeaderOf(none, "WWW-Authenticate"), "Bearer realm=\"tessera\"");
  http::Response bad = Send(verb::verb::get, Path("userinfo"), "", {{"Authorization", "Bearer x.y.z"}});
  EXPECT_EQ(bad.status, 401u);
  EXPECT_NE(HeaderOf(bad, "WWW-Authenticate").find("error=\"invalid_token\""), std::string::npos);
}

}  // namespace
}  // namespace tessera::services
