// POST /oauth/token through its handler (a Request in, the Response out): how the form and
// the client authentication are read, which error comes first, and the answer's shape
// (RFC 6749 §3.2, §2.3, §5.1, §5.2). The grants' own rules: src/oauth/*_grant_test.cc.
#include <gtest/gtest.h>

#include "tests/support/oauth_endpoint_fixture.h"

namespace tessera::services {
namespace {

using namespace testing_oauth;
namespace json = boost::json;

class TokenEndpointTest : public OAuthEndpointFixture {
 protected:
  void SetUp() override {
    OAuthEndpointFixture::SetUp();
    ClientRegistration m;
    m.name = "Billing job";
    m.grant_types = {"client_credentials"};
    m.scopes = {"invoices:read", "invoices:write", "openid"};
    machine_ = RegisterConfidential(std::move(m));
    ClientRegistration w;
    w.name = "Web app";
    w.redirect_uris = {kConfidentialRedirect};
    web_app_ = RegisterConfidential(std::move(w));
  }

  http::Response Token(const std::vector<std::pair<std::string, std::string>>& form,
                       Headers headers = {}) {
    return PostForm(Path("token"), Form(form), std::move(headers));
  }
  Headers MachineAuth() const { return {{"Authorization", Basic(machine_.client.client_id, machine_.secret)}}; }

  // An error answer: status, code, and the headers every token answer carries.
  void ExpectError(const http::Response& r, unsigned status, std::string_view error) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(OAuthErrorOf(r), error) << r.body;
    EXPECT_EQ(HeaderOf(r, "Cache-Control"), "no-store");
    EXPECT_EQ(HeaderOf(r, "Access-Control-Allow-Origin"), "*");
    if (status == 401) {
      EXPECT_EQ(HeaderOf(r, "WWW-Authenticate"), "Basic realm=\"tessera\"");
    }
  }

  Credentials machine_;
  Credentials web_app_;
};

TEST_F(TokenEndpointTest, ClientCredentialsAnswerHasTheTokenResponseShape) {
  http::Response r = Token({{"grant_type", "client_credentials"}, {"scope", "invoices:write invoices:read"}},
                           MachineAuth());
  ASSERT_EQ(r.status, 200u) << r.body;
  json::object body = JsonOf(r);
  EXPECT_EQ(Str(body, "token_type"), "Bearer");
  EXPECT_EQ(Str(body, "scope"), "invoices:read invoices:write");
  EXPECT_EQ(body.at("expires_in").to_number<int64_t>(), 600);
  EXPECT_FALSE(body.contains("refresh_token"));
  EXPECT_FALSE(body.contains("id_token"));
  EXPECT_EQ(Str(Payload(Str(body, "access_token")), "sub"), machine_.client.client_id);
  EXPECT_EQ(HeaderOf(r, "Cache-Control"), "no-store");
  EXPECT_EQ(HeaderOf(r, "Pragma"), "no-cache");
  EXPECT_EQ(HeaderOf(r, "Access-Control-Allow-Origin"), "*");
}

TEST_F(TokenEndpointTest, MissingOrRepeatedParameters) {
  ExpectError(Token({}, MachineAuth()), 400, "invalid_request");
  ExpectError(Token({{"grant_type", ""}}, MachineAuth()), 400, "invalid_request");
  EXPECT_EQ(Str(JsonOf(Token({}, MachineAuth())), "error_description"), "grant_type is required");
  // RFC 6749 §3.2: parameters must not be included more than once.
  ExpectError(Token({{"grant_type", "client_credentials"}, {"grant_type", "client_credentials"}},
                    MachineAuth()),
              400, "invalid_request");
  ExpectError(Token({{"grant_type", "client_credentials"}, {"scope", "invoices:read"},
                     {"scope", "invoices:write"}},
                    MachineAuth()),
              400, "invalid_request");
  ExpectError(PostForm(Path("token"), "grant_type=client_credentials&scope=%zz", MachineAuth()),
              400, "invalid_request");
  // The grants' own required parameters.
  auto web_auth = Headers{{"Authorization", Basic(web_app_.client.client_id, web_app_.secret)}};
  ExpectError(Token({{"grant_type", "authorization_code"}}, web_auth), 400, "invalid_request");
  ExpectError(Token({{"grant_type", "refresh_token"}}, web_auth), 400, "invalid_request");
}

TEST_F(TokenEndpointTest, UnsupportedAndUnauthorizedGrantTypes) {
  for (const std::string& grant : std::vector<std::string>{
           "password", "implicit", "token", "CLIENT_CREDENTIALS",
           "urn:ietf:params:oauth:grant-type:device_code", "client_credentials "}) {
    http::Response r = Token({{"grant_type", grant}}, MachineAuth());
    ExpectError(r, 400, "unsupported_grant_type");
    EXPECT_EQ(Str(JsonOf(r), "error_description"), "unsupported grant_type: " + grant);
  }
  // Offered, but not registered for this client.
  http::Response r = Token({{"grant_type", "authorization_code"}, {"code", "tac_x"}}, MachineAuth());
  ExpectError(r, 400, "unauthorized_client");
  EXPECT_EQ(Str(JsonOf(r), "error_description"),
            "this client may not use the authorization_code grant");
}

TEST_F(TokenEndpointTest, TheBodyMustBeAForm) {
  std::string body = Form({{"grant_type", "client_credentials"}});
  for (const std::string& type : std::vector<std::string>{"application/json", "text/plain",
                                                          "multipart/form-data; boundary=x", ""}) {
    Headers h = MachineAuth();
    if (!type.empty()) h.emplace_back("Content-Type", type);
    ExpectError(Send(verb::verb::post, Path("token"), body, h), 400, "invalid_request");
  }
  ExpectError(Send(verb::verb::post, Path("token"), R"({"grant_type":"client_credentials"})",
                   {{"Content-Type", "application/json"}, MachineAuth()[0]}),
              400, "invalid_request");
  // Parameters of the media type are fine, and its name is case-insensitive.
  Headers h = MachineAuth();
  h.emplace_back("Content-Type", "Application/X-WWW-Form-Urlencoded; charset=UTF-8");
  EXPECT_EQ(Send(verb::verb::post, Path("token"), body, h).status, 200u);
}

TEST_F(TokenEndpointTest, ExactlyOneClientAuthenticationMethod) {
  const std::string& id = machine_.client.client_id;
  // Both: refused whether or not they agree (RFC 6749 §2.3).
  ExpectError(Token({{"grant_type", "client_credentials"}, {"client_id", id},
                     {"client_secret", machine_.secret}},
                    MachineAuth()),
              400, "invalid_request");
  // Basic with a client_id in the form naming another client.
  ExpectError(Token({{"grant_type", "client_credentials"}, {"client_id", web_app_.client.client_id}},
                    MachineAuth()),
              400, "invalid_request");
  // Basic with the same client_id in the form: fine.
  EXPECT_EQ(Token({{"grant_type", "client_credentials"}, {"client_id", id}}, MachineAuth()).status,
            200u);
  // client_secret_post alone: fine.
  EXPECT_EQ(Token({{"grant_type", "client_credentials"}, {"client_id", id},
                   {"client_secret", machine_.secret}})
                .status,
            200u);
  // Neither.
  ExpectError(Token({{"grant_type", "client_credentials"}}), 401, "invalid_client");
}

TEST_F(TokenEndpointTest, MalformedBasicCredentials) {
  const std::string& id = machine_.client.client_id;
  for (const std::string& header : std::vector<std::string>{
           "Basic !!!not-base64", "Basic " + crypto::Base64Encode("no-colon-here"),
           "Basic " + crypto::Base64Encode(id + "%zz:" + machine_.secret),
           "Basic", "Basic ", "Bearer " + machine_.secret, "Digest username=x"}) {
    SCOPED_TRACE(header);
    ExpectError(Token({{"grant_type", "client_credentials"}}, {{"Authorization", header}}), 401,
                "invalid_client");
  }
  // The scheme is case-insensitive; the parts are form-encoded (RFC 6749 §2.3.1).
  std::string lower = "basic " + crypto::Base64Encode(id + ":" + machine_.secret);
  EXPECT_EQ(Token({{"grant_type", "client_credentials"}}, {{"Authorization", lower}}).status, 200u);
}

TEST_F(TokenEndpointTest, UnknownClientAndWrongSecretGetTheSameAnswer) {
  http::Response wrong = Token({{"grant_type", "client_credentials"}},
                               {{"Authorization", Basic(machine_.client.client_id, "tcs_wrong")}});
  http::Response unknown = Token({{"grant_type", "client_credentials"}},
                                 {{"Authorization", Basic("no-such-client", machine_.secret)}});
  ExpectError(wrong, 401, "invalid_client");
  ExpectError(unknown, 401, "invalid_client");
  EXPECT_EQ(wrong.body, unknown.body);  // no client enumeration
  // A confidential client cannot pass itself off as public by leaving out the secret.
  ExpectError(Token({{"grant_type", "authorization_code"}, {"client_id", web_app_.client.client_id},
                     {"code", "tac_x"}}),
              401, "invalid_client");
}

// The order of the shared phases: the form, then grant_type's presence, then the client,
// then the grant.
TEST_F(TokenEndpointTest, ErrorsComeInThePhasesOrder) {
  // A bad body wins over missing client authentication.
  ExpectError(Send(verb::verb::post, Path("token"), "grant_type=password",
                   {{"Content-Type", "application/json"}}),
              400, "invalid_request");
  // A missing grant_type wins over missing client authentication.
  ExpectError(Token({{"scope", "x"}}), 400, "invalid_request");
  // The client is authenticated before the grant_type is looked at: an unknown client hears
  // nothing about grants.
  ExpectError(Token({{"grant_type", "password"}}, {{"Authorization", Basic("nobody", "x")}}), 401,
              "invalid_client");
  // An unknown app is a problem (RFC 9457), not an OAuth error.
  http::Response r = PostForm("/apps/nope/oauth/token", "grant_type=client_credentials", MachineAuth());
  EXPECT_EQ(r.status, 404u);
  EXPECT_EQ(r.content_type, "application/problem+json");
}

TEST_F(TokenEndpointTest, OversizedParametersAreRefusedPlainly) {
  std::string huge(10'000, 'a');
  auto web_auth = Headers{{"Authorization", Basic(web_app_.client.client_id, web_app_.secret)}};
  ExpectError(Token({{"grant_type", "authorization_code"}, {"code", "tac_" + huge}}, web_auth), 400,
              "invalid_grant");
  ExpectError(Token({{"grant_type", "refresh_token"}, {"refresh_token", "tsr_" + huge}}, web_auth),
              400, "invalid_grant");
  ExpectError(Token({{"grant_type", "client_credentials"}, {"scope", huge}}, MachineAuth()), 400,
              "invalid_scope");
  ExpectError(Token({{"grant_type", "client_credentials"}},
                    {{"Authorization", Basic(huge, machine_.secret)}}),
              401, "invalid_client");
}

// The whole code flow over the endpoints' handlers: authorize (signed in, first party) →
// code → token → refresh, with a public client and PKCE.
TEST_F(TokenEndpointTest, CodeAndRefreshGrantsOverHttp) {
  ClientRegistration r;
  r.name = "Desktop";
  r.is_public = true;
  r.first_party = true;
  r.redirect_uris = {"http://127.0.0.1/cb"};
  store::OAuthClient pub = Register(std::move(r));
  store::User u = SignUp("ada@example.com");
  StartedBrowserSession b = SignIn(u);
  Params p = BaseParams(pub, "openid offline_access");
  http::Response authorized = Send(verb::verb::get, Path("authorize") + "?" + Query(p), "",
                                   {{"Cookie", SessionCookie(b)}});
  auto answer = RedirectQuery(authorized);
  ASSERT_TRUE(answer) << authorized.status << " " << HeaderOf(authorized, "Location");
  std::string code = answer->at("code");

  http::Response t = Token({{"grant_type", "authorization_code"}, {"client_id", pub.client_id},
                            {"code", code}, {"redirect_uri", p["redirect_uri"]},
                            {"code_verifier", kVerifier}});
  ASSERT_EQ(t.status, 200u) << t.body;
  json::object tokens = JsonOf(t);
  EXPECT_EQ(Str(tokens, "scope"), "openid offline_access");
  EXPECT_FALSE(Str(tokens, "id_token").empty());
  ASSERT_FALSE(Str(tokens, "refresh_token").empty());

  http::Response refreshed = Token({{"grant_type", "refresh_token"}, {"client_id", pub.client_id},
                                    {"refresh_token", Str(tokens, "refresh_token")}});
  ASSERT_EQ(refreshed.status, 200u) << refreshed.body;
  std::string next = Str(JsonOf(refreshed), "refresh_token");

  // The code again: refused, and the grant it gave is revoked.
  http::Response again = Token({{"grant_type", "authorization_code"}, {"client_id", pub.client_id},
                                {"code", code}, {"redirect_uri", p["redirect_uri"]},
                                {"code_verifier", kVerifier}});
  ExpectError(again, 400, "invalid_grant");
  ExpectError(Token({{"grant_type", "refresh_token"}, {"client_id", pub.client_id},
                     {"refresh_token", next}}),
              400, "invalid_grant");
}

}  // namespace
}  // namespace tessera::services
