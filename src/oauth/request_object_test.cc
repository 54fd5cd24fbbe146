// Signed request objects (JAR, RFC 9101) through AuthorizationService: an object signed with a
// key the client registered carries the whole request (parameters beside it are ignored); one
// that is unsigned, signed by another key, for another issuer or client, stale, too long-lived
// or nested is refused on a page (invalid_request_object); a client that must sign is refused
// a plain request but may push; PAR takes an object too; off, objects stay unsupported.
#include "oauth/request_object.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "crypto/encoding.h"
#include "crypto/jwt.h"
#include "oauth/client_keys.h"
#include "tests/support/oauth_fixture.h"

namespace tessera::services::testing_oauth {
namespace {

class RequestObjectTest : public OAuthFixture {
 protected:
  void SetUp() override {
    OAuthFixture::SetUp();
    SetSigned(true);
    key_ = crypto::SigningKey::Generate(crypto::JwsAlg::kES256, "rp-key-1").value();
    ClientRegistration r;
    r.name = "Bank";
    r.redirect_uris = {kConfidentialRedirect, "https://client.example/other"};
    r.jwks = Jwks({key_});
    client_ = Register(std::move(r));
    user_ = SignUp("ada@example.com", "ada");
    browser_session_ = SignIn(user_).session;
  }

  void SetSigned(bool on) {
    store::AppSettings s = app_.settings;
    s.signed_request_objects = on;
    app_ = apps_->UpdateSettings(app_.slug, s).value();
  }

  static std::string Jwks(const std::vector<crypto::SigningKey>& keys) {
    boost::json::array list;
    for (const auto& k : keys) list.push_back(k.PublicJwk());
    return boost::json::serialize(boost::json::object{{"keys", list}});
  }

  boost::json::object Claims() {
    int64_t now = clock_.NowSeconds();
    return {{"iss", client_.client_id},         {"aud", apps_->IssuerFor(app_.slug)},
            {"client_id", client_.client_id},   {"iat", now},
            {"exp", now + 300},                 {"jti", "jti-1"},
            {"response_type", "code"},          {"redirect_uri", kConfidentialRedirect},
            {"scope", "openid profile"},        {"state", "signed-state"},
            {"nonce", "signed-nonce"},          {"max_age", 600}};
  }

  std::string Sign(const boost::json::object& claims, const crypto::SigningKey* key = nullptr,
                   std::string_view typ = "oauth-authz-req+jwt") {
    return crypto::SignJwt(key ? *key : key_, typ, claims).value();
  }

  // The outer request: client_id and the object, plus whatever else a tamperer adds.
  Params Outer(const std::string& request, Params extra = {}) {
    extra["client_id"] = client_.client_id;
    extra["request"] = request;
    return extra;
  }

  // The refusal's code, or "ok"; a refused object is shown on a page, never redirected.
  std::string RefusalOf(const Params& p, bool redirected = false) {
    AuthorizeVerdict v = authz_->Validate(app_, p);
    if (v.ok()) return "ok";
    EXPECT_EQ(v.error().redirect.has_value(), redirected) << v.error().error.description;
    return v.error().error.code;
  }

  crypto::SigningKey key_ = crypto::SigningKey::Generate(crypto::JwsAlg::kES256, "x").value();
  store::OAuthClient client_;
  store::User user_;
  store::Session browser_session_;
};

TEST_F(RequestObjectTest, ASignedObjectCarriesTheWholeRequestAndOuterParametersAreIgnored) {
  std::string request = Sign(Claims());
  // A tamperer's parameters beside the object: another redirect, more scope, another state.
  AuthorizeVerdict v = authz_->Validate(
      app_, Outer(request, {{"redirect_uri", "https://client.example/other"},
                            {"scope", "openid profile email"}, {"state", "tampered"}}));
  ASSERT_TRUE(v.ok()) << v.error().error.description;
  EXPECT_TRUE(v->request.signed_request);
  EXPECT_EQ(v->redirect.uri(), kConfidentialRedirect);
  EXPECT_EQ(v->scopes, (std::vector<std::string>{"openid", "profile"}));
  EXPECT_EQ(v->request.state, "signed-state");
  EXPECT_EQ(v->request.nonce, "signed-nonce");
  EXPECT_EQ(v->max_age_s, 600);  // a number claim becomes the parameter's text
  // Through sign-in and consent, the object itself is carried (and checked again).
  EXPECT_EQ(v->carried, (Params{{"client_id", client_.client_id}, {"request", request}}));

  // And the code it leads to is the signed request's.
  auto code = authz_->IssueCode(app_, *v, browser_session_);
  ASSERT_TRUE(code.ok());
  auto tokens = Exchange(client_, *code, kConfidentialRedirect, std::nullopt);
  ASSERT_TRUE(tokens.ok()) << ErrorOf(tokens);
  EXPECT_EQ(Str(Payload(*tokens->id_token), "nonce"), "signed-nonce");
}

TEST_F(RequestObjectTest, ObjectsThatDoNotVerifyAreRefusedOnAPage) {
  const std::string issuer = apps_->IssuerFor(app_.slug);
  auto stranger = crypto::SigningKey::Generate(crypto::JwsAlg::kES256, "rp-key-1").value();
  auto with = [&](std::string_view name, boost::json::value v) {
    boost::json::object c = Claims();
    c[name] = std::move(v);
    return Sign(c);
  };
  auto without = [&](std::string_view name) {
    boost::json::object c = Claims();
    c.erase(name);
    return Sign(c);
  };
  const int64_t now = clock_.NowSeconds();
  // alg none: the header and payload of a signed one, no signature.
  std::string good = Sign(Claims());
  std::string payload = good.substr(good.find('.') + 1, good.rfind('.') - good.find('.') - 1);
  std::string unsigned_object =
      crypto::Base64UrlEncode(R"({"alg":"none","typ":"oauth-authz-req+jwt"})") + "." + payload + ".";
  boost::json::object nested = Claims();
  nested["request"] = good;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"unsigned (alg none)", unsigned_object},
      {"signed by another key with the same kid", Sign(Claims(), &stranger)},
      {"its signature changed", good.substr(0, good.size() - 4) + "AAAA"},
      {"no aud", without("aud")},
      {"another issuer", with("aud", boost::json::value(issuer + "-other"))},
      {"another iss", with("iss", "someone-else")},
      {"another client_id inside", with("client_id", "someone-else")},
      {"expired", with("exp", now - 120)},
      {"not yet valid", with("nbf", now + 600)},
      {"issued in the future", with("iat", now + 600)},
      {"living a day", with("exp", now + 86400)},
      {"exp as text", with("exp", "soon")},
      {"a request inside", Sign(nested)},
      {"typ of another kind", Sign(Claims(), nullptr, "dpop+jwt")},
      {"not a JWT", "not-a-jwt"},
      {"too large", std::string(9000, 'a')},
  };
  for (const auto& [name, request] : cases) {
    EXPECT_EQ(RefusalOf(Outer(request)), "invalid_request_object") << name;
  }
  // The typ a JWT library writes by default is fine, and so is none.
  EXPECT_EQ(RefusalOf(Outer(Sign(Claims(), nullptr, "JWT"))), "ok");
}

TEST_F(RequestObjectTest, AClientWithoutKeysOrAnAppWithItOffCannotUseThem) {
  store::OAuthClient keyless = Confidential("Keyless");
  boost::json::object c = Claims();
  c["iss"] = c["client_id"] = keyless.client_id;
  Params p{{"client_id", keyless.client_id}, {"request", Sign(c)}};
  EXPECT_EQ(RefusalOf(p), "invalid_request_object");
  SetSigned(false);
  // Off: the parameter is not supported, answered to the client by redirect (OIDC Core §6).
  Params plain = BaseParams(client_);
  plain["request"] = Sign(Claims());
  EXPECT_EQ(RefusalOf(plain, /*redirected=*/true), "request_not_supported");
}

TEST_F(RequestObjectTest, AClientThatMustSignIsRefusedAPlainRequestButMayPush) {
  ClientUpdate must;
  must.require_signed_request_object = true;
  client_ = clients_->Update(app_, client_.client_id, must, CliActor()).value();
  EXPECT_EQ(RefusalOf(BaseParams(client_), /*redirected=*/true), "invalid_request");
  EXPECT_EQ(RefusalOf(Outer(Sign(Claims()))), "ok");
  store::AppSettings s = app_.settings;
  s.par = true;
  app_ = apps_->UpdateSettings(app_.slug, s).value();
  auto pushed = authz_->Push(app_, client_, BaseParams(client_));
  ASSERT_TRUE(pushed.ok()) << pushed.error().description;
  EXPECT_EQ(RefusalOf({{"client_id", client_.client_id}, {"request_uri", pushed->request_uri}}), "ok");
}

TEST_F(RequestObjectTest, APushedRequestMayBeASignedObject) {
  store::AppSettings s = app_.settings;
  s.par = true;
  app_ = apps_->UpdateSettings(app_.slug, s).value();
  auto pushed = authz_->Push(app_, client_, {{"request", Sign(Claims())}});
  ASSERT_TRUE(pushed.ok()) << pushed.error().description;
  AuthorizeVerdict v =
      authz_->Validate(app_, {{"client_id", client_.client_id}, {"request_uri", pushed->request_uri}});
  ASSERT_TRUE(v.ok()) << v.error().error.description;
  EXPECT_EQ(v->request.state, "signed-state");
  boost::json::object expired = Claims();
  expired["exp"] = clock_.NowSeconds() - 600;
  auto refused = authz_->Push(app_, client_, {{"request", Sign(expired)}});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "invalid_request_object");
}

TEST(ClientKeys, ParseAndPick) {
  auto a = crypto::SigningKey::Generate(crypto::JwsAlg::kES256, "a").value();
  auto b = crypto::SigningKey::Generate(crypto::JwsAlg::kRS256, "b").value();
  boost::json::object with_private = a.PublicJwk();
  with_private["d"] = "AAAA";
  auto set = [](boost::json::array keys) {
    return boost::json::serialize(boost::json::object{{"keys", std::move(keys)}});
  };
  auto keys = ParseClientJwks(set({a.PublicJwk(), b.PublicJwk()}));
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  EXPECT_EQ(KeyForHeader(*keys, {{"kid", "b"}, {"alg", "RS256"}})->kid(), "b");
  EXPECT_EQ(KeyForHeader(*keys, {{"alg", "ES256"}})->kid(), "a");  // the only ES256 key
  EXPECT_EQ(KeyForHeader(*keys, {{"kid", "c"}}), nullptr);
  for (const std::string& bad : {std::string("not json"), std::string("{}"), set({}),
                                 set({with_private}), set({a.PublicJwk(), a.PublicJwk()}),
                                 set({"a string"}), std::string(17000, ' ')}) {
    EXPECT_EQ(ParseClientJwks(bad).status().code(), StatusCode::kInvalidArgument) << bad.substr(0, 80);
  }
}

}  // namespace
}  // namespace tessera::services::testing_oauth
