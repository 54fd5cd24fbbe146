// The OpenID connector against a fake provider on loopback (tests/support/fake_upstreams.h),
// through the real libcurl client and the real metadata cache.
#include "federation/oidc_connector.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/url.hpp>

#include "crypto/digest.h"
#include "crypto/encoding.h"
#include "crypto/jwt.h"
#include "federation/connector_support.h"
#include "federation/provider_metadata_cache.h"
#include "tests/support/fake_upstreams.h"

namespace tessera::services {
namespace {

namespace json = boost::json;
using testing::HasSubstr;
using testing::Not;
using testing_support::FakeOidcProvider;

constexpr int64_t kNow = 1'800'000'000;
constexpr char kSecret[] = "s3cret:/ü+";

CurlOutboundHttpOptions HttpOptions() {
  CurlOutboundHttpOptions o;
  o.connect_timeout_ms = 1000;
  o.total_timeout_ms = 1000;
  o.allow_private_addresses = true;  // the fake provider is on 127.0.0.1
  return o;
}

std::map<std::string, std::string> QueryOf(const std::string& url) {
  std::map<std::string, std::string> out;
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return out;
  for (auto param : parsed->params()) out[param.key] = param.value;
  return out;
}

class OidcConnectorTest : public testing::Test {
 protected:
  OidcConnectorTest() : provider(kNow), http(HttpOptions()), cache(http, clock) {
    record.id = "prov-1";
    record.app_id = "app-1";
    record.slug = "corp";
    record.kind = store::ProviderKind::kOidc;
    record.display_name = "Corp SSO";
    record.client_id = "client-1";
    record.issuer = provider.issuer();
    login.state = "st-1";
    login.nonce = "n-123";
    login.code_verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    login.redirect_uri = "https://id.example/apps/a/federation/corp/callback";
  }

  std::unique_ptr<Connector> NewConnector(std::string secret = kSecret) {
    return MakeConnector(record, std::move(secret), http, cache, clock);
  }

  Result<UpstreamIdentity> SignIn(UpstreamCallback callback = {"code-1", "st-1", "", "", ""}) {
    return NewConnector()->Finish(login, callback);
  }

  // The sign-in is refused with `code`, its message containing `what`.
  void ExpectRefused(StatusCode code, std::string_view what,
                     UpstreamCallback callback = {"code-1", "st-1", "", "", ""}) {
    auto identity = SignIn(callback);
    ASSERT_FALSE(identity.ok()) << "accepted: " << identity->subject;
    EXPECT_EQ(identity.status().code(), code) << identity.status().ToString();
    EXPECT_THAT(identity.status().message(), HasSubstr(std::string(what)));
  }

  ManualClock clock{kNow * 1000};
  FakeOidcProvider provider;
  CurlOutboundHttp http;
  ProviderMetadataCache cache;
  store::IdentityProvider record;
  UpstreamLogin login;
};

TEST_F(OidcConnectorTest, HappyPathSendsTheExactRequests) {
  auto url = NewConnector()->LoginUrl(login);
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  EXPECT_TRUE(url->starts_with(provider.url("/authorize?"))) << *url;
  auto q = QueryOf(*url);
  EXPECT_EQ(q["response_type"], "code");
  EXPECT_EQ(q["client_id"], "client-1");
  EXPECT_EQ(q["redirect_uri"], login.redirect_uri);
  EXPECT_EQ(q["scope"], "openid email profile");
  EXPECT_EQ(q["state"], "st-1");
  EXPECT_EQ(q["nonce"], "n-123");
  EXPECT_EQ(q["code_challenge_method"], "S256");
  // RFC 7636 appendix B's own example.
  EXPECT_EQ(q["code_challenge"], "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
  EXPECT_THAT(*url, Not(HasSubstr("+")));  // spaces are %20, nothing a form decoder misreads

  auto identity = SignIn();
  ASSERT_TRUE(identity.ok()) << identity.status().ToString();
  EXPECT_EQ(identity->subject, "248289761001");
  EXPECT_EQ(identity->email, "jane@corp.example");
  EXPECT_TRUE(identity->email_verified);
  EXPECT_EQ(identity->name, "Jane Doe");
  EXPECT_EQ(identity->picture, "https://corp.example/jane.png");
  EXPECT_EQ(identity->username, "jane");

  auto token_requests = provider.server.RequestsTo("/token");
  ASSERT_EQ(token_requests.size(), 1u);
  const auto& t = token_requests[0];
  EXPECT_EQ(t.method, "POST");
  auto form = t.Form();
  EXPECT_EQ(form["grant_type"], "authorization_code");
  EXPECT_EQ(form["code"], "code-1");
  EXPECT_EQ(form["redirect_uri"], login.redirect_uri);
  EXPECT_EQ(crypto::Base64UrlEncode(crypto::Sha256(form["code_verifier"])), q["code_challenge"]);
  EXPECT_EQ(form.count("client_secret"), 0u);
  EXPECT_EQ(form.count("client_id"), 0u);
  EXPECT_EQ(t.Header("accept"), "application/json");
  EXPECT_EQ(t.Header("content-type"), "application/x-www-form-urlencoded");
  std::string basic = t.Header("authorization");
  ASSERT_TRUE(basic.starts_with("Basic "));
  // RFC 6749 §2.3.1: each part form-encoded before base64.
  EXPECT_EQ(crypto::Base64Decode(basic.substr(6)).value(), "client-1:s3cret%3A%2F%C3%BC%2B");
  EXPECT_EQ(provider.server.CountTo("/userinfo"), 0u) << "the ID token had the email";
  // Discovery and keys came once and are cached.
  EXPECT_TRUE(SignIn().ok());
  EXPECT_EQ(provider.server.CountTo("/.well-known/openid-configuration"), 1u);
  EXPECT_EQ(provider.server.CountTo("/jwks"), 1u);
}

TEST_F(OidcConnectorTest, ScopesAlwaysIncludeOpenid) {
  record.scopes = "email groups";
  EXPECT_EQ(QueryOf(NewConnector()->LoginUrl(login).value())["scope"], "openid email groups");
  record.scopes = "profile openid";
  EXPECT_EQ(QueryOf(NewConnector()->LoginUrl(login).value())["scope"], "profile openid");
}

TEST_F(OidcConnectorTest, ClientSecretPostWhenTheProviderListsOnlyThat) {
  provider.discovery["token_endpoint_auth_methods_supported"] = json::array{"client_secret_post"};
  ASSERT_TRUE(SignIn().ok());
  auto t = provider.server.RequestsTo("/token").at(0);
  EXPECT_FALSE(t.HasHeader("authorization"));
  EXPECT_EQ(t.Form()["client_id"], "client-1");
  EXPECT_EQ(t.Form()["client_secret"], kSecret);
}

TEST_F(OidcConnectorTest, RefusesAnotherNonceOrNone) {
  provider.id_token_claims["nonce"] = "n-other";
  ExpectRefused(StatusCode::kUnauthenticated, "nonce");
  provider.id_token_claims.erase("nonce");
  ExpectRefused(StatusCode::kUnauthenticated, "nonce");
}

TEST_F(OidcConnectorTest, RefusesAnotherIssuerOrAudience) {
  provider.id_token_claims["iss"] = "https://evil.example";
  ExpectRefused(StatusCode::kUnauthenticated, "wrong issuer");
  provider.id_token_claims["iss"] = provider.issuer();
  provider.id_token_claims["aud"] = "client-2";
  ExpectRefused(StatusCode::kUnauthenticated, "wrong audience");
  // Several audiences: azp must name this client.
  provider.id_token_claims["aud"] = json::array{"client-1", "client-2"};
  ExpectRefused(StatusCode::kUnauthenticated, "azp");
  provider.id_token_claims["azp"] = "client-2";
  ExpectRefused(StatusCode::kUnauthenticated, "azp");
  provider.id_token_claims["azp"] = "client-1";
  EXPECT_TRUE(SignIn().ok());
}

TEST_F(OidcConnectorTest, RefusesExpiredTokensBeyondTheLeeway) {
  provider.id_token_claims["exp"] = kNow - 30;  // within the minute's leeway
  EXPECT_TRUE(SignIn().ok());
  provider.id_token_claims["exp"] = kNow - 61;
  ExpectRefused(StatusCode::kUnauthenticated, "expired");
  provider.id_token_claims["exp"] = kNow + 600;
  provider.id_token_claims["iat"] = kNow + 300;
  ExpectRefused(StatusCode::kUnauthenticated, "issued in the future");
  provider.id_token_claims.erase("iat");
  ExpectRefused(StatusCode::kUnauthenticated, "no iat");
}

TEST_F(OidcConnectorTest, RefusesABadSignature) {
  // Same kid, another key: the published key does not verify it.
  provider.signer = crypto::SigningKey::Generate(crypto::JwsAlg::kRS256, "k1").value();
  ExpectRefused(StatusCode::kUnauthenticated, "bad signature");
  // A token with its payload swapped.
  provider.signer = provider.jwks.front();
  std::string good = crypto::SignJwt(provider.signer, "JWT", provider.id_token_claims).value();
  json::object forged = provider.id_token_claims;
  forged["sub"] = "admin";
  size_t d1 = good.find('.'), d2 = good.rfind('.');
  provider.id_token_override = good.substr(0, d1 + 1) +
                               crypto::Base64UrlEncode(json::serialize(forged)) + good.substr(d2);
  ExpectRefused(StatusCode::kUnauthenticated, "bad signature");
  // alg none, and an HMAC "signed" with the public key (algorithm confusion).
  std::string body = crypto::Base64UrlEncode(json::serialize(provider.id_token_claims));
  provider.id_token_override =
      crypto::Base64UrlEncode(R"({"alg":"none","kid":"k1"})") + "." + body + ".";
  ExpectRefused(StatusCode::kUnauthenticated, "algorithm not allowed");
  provider.id_token_override =
      crypto::Base64UrlEncode(R"({"alg":"HS256","kid":"k1"})") + "." + body + ".c2ln";
  ExpectRefused(StatusCode::kUnauthenticated, "algorithm not allowed");
}

TEST_F(OidcConnectorTest, AnUnknownKidRefetchesTheKeysAtMostOnceAMinute) {
  ASSERT_TRUE(SignIn().ok());
  ASSERT_EQ(provider.server.CountTo("/jwks"), 1u);
  // A key the provider does not list: one refetch (it may have rotated), then refused.
  provider.signer = crypto::SigningKey::Generate(crypto::JwsAlg::kES256, "k2").value();
  ExpectRefused(StatusCode::kUnauthenticated, "key the provider does not list");
  EXPECT_EQ(provider.server.CountTo("/jwks"), 2u);
  // Another made-up kid within the minute: no fetch at all.
  clock.Advance(30'000);
  provider.signer = crypto::SigningKey::Generate(crypto::JwsAlg::kES256, "k3").value();
  ExpectRefused(StatusCode::kUnauthenticated, "key the provider does not list");
  EXPECT_EQ(provider.server.CountTo("/jwks"), 2u);
  // The known key still works meanwhile, from the cache.
  provider.signer = provider.jwks.front();
  EXPECT_TRUE(SignIn().ok());
  EXPECT_EQ(provider.server.CountTo("/jwks"), 2u);
  // The provider rotates to an ES256 key: found once the minute has passed.
  clock.Advance(30'000);
  provider.id_token_claims["iat"] = clock.NowSeconds();
  provider.id_token_claims["exp"] = clock.NowSeconds() + 600;
  provider.signer = crypto::SigningKey::Generate(crypto::JwsAlg::kES256, "k4").value();
  provider.jwks.push_back(provider.signer);
  auto identity = SignIn();
  EXPECT_TRUE(identity.ok()) << identity.status().ToString();
  EXPECT_EQ(provider.server.CountTo("/jwks"), 3u);
}

TEST_F(OidcConnectorTest, TheIssParameterMustNameTheIssuer) {
  UpstreamCallback callback{"code-1", "st-1", "https://other.example", "", ""};
  ExpectRefused(StatusCode::kUnauthenticated, "iss names another issuer", callback);
  // Also on an error answer: a mix-up does not pass as a refusal.
  callback.code = "";
  callback.error = "access_denied";
  ExpectRefused(StatusCode::kUnauthenticated, "iss names another issuer", callback);
  EXPECT_EQ(provider.server.CountTo("/token"), 0u);
  callback = {"code-1", "st-1", provider.issuer(), "", ""};
  EXPECT_TRUE(SignIn(callback).ok());
}

TEST_F(OidcConnectorTest, TheIssParameterIsRequiredWhenTheProviderPromisesIt) {
  provider.discovery["authorization_response_iss_parameter_supported"] = true;
  ExpectRefused(StatusCode::kUnauthenticated, "RFC 9207");
  EXPECT_EQ(provider.server.CountTo("/token"), 0u);
  EXPECT_TRUE(SignIn({"code-1", "st-1", provider.issuer(), "", ""}).ok());
}

TEST_F(OidcConnectorTest, ADeclinedSignInIsPermissionDenied) {
  UpstreamCallback callback{"", "st-1", "", "access_denied",
                            "The user \"declined\"\r\n<script>" + std::string(500, 'x')};
  auto identity = SignIn(callback);
  ASSERT_EQ(identity.status().code(), StatusCode::kPermissionDenied);
  const std::string& m = identity.status().message();
  EXPECT_THAT(m, HasSubstr("Corp SSO"));
  EXPECT_THAT(m, HasSubstr("access_denied"));
  EXPECT_THAT(m, Not(HasSubstr("\r")));
  EXPECT_THAT(m, Not(HasSubstr("\"declined\"")));
  EXPECT_LT(m.size(), 250u);
  EXPECT_EQ(provider.server.CountTo("/token"), 0u);
  ExpectRefused(StatusCode::kUnavailable, "temporarily_unavailable",
                {"", "st-1", "", "temporarily_unavailable", ""});
  ExpectRefused(StatusCode::kUnauthenticated, "invalid_scope", {"", "st-1", "", "invalid_scope", ""});
  ExpectRefused(StatusCode::kUnauthenticated, "no usable code", {"", "st-1", "", "", ""});
}

TEST_F(OidcConnectorTest, TokenEndpointFailures) {
  provider.token_status = 500;
  ExpectRefused(StatusCode::kUnavailable, "HTTP 500");
  provider.token_status = 400;
  ExpectRefused(StatusCode::kUnauthenticated, "refused the code: invalid_grant");
  provider.token_status = 401;
  provider.token_error = {{"error", "invalid_client"}};
  ExpectRefused(StatusCode::kUnauthenticated, "invalid_client");
  provider.token_status = 200;
  provider.token_answer_extra = {{"token_type", "mac"}};
  ExpectRefused(StatusCode::kUnavailable, "Bearer");
  provider.token_answer_extra = {{"id_token", nullptr}};
  ExpectRefused(StatusCode::kUnavailable, "no id_token");
  provider.token_answer_extra = {{"access_token", "bad token\r\nX: y"}};
  ExpectRefused(StatusCode::kUnavailable, "access_token");
}

TEST_F(OidcConnectorTest, ASlowTokenEndpointTimesOut) {
  provider.token_delay = std::chrono::milliseconds(3000);
  auto start = std::chrono::steady_clock::now();
  ExpectRefused(StatusCode::kUnavailable, "Timeout");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(2500));
}

TEST_F(OidcConnectorTest, ADiscoveryDocumentOfAnotherIssuerIsRefused) {
  provider.discovery["issuer"] = provider.issuer() + "/";
  auto url = NewConnector()->LoginUrl(login);
  EXPECT_EQ(url.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(url.status().message(), HasSubstr("another issuer"));
  ExpectRefused(StatusCode::kUnavailable, "another issuer");
  EXPECT_EQ(provider.server.CountTo("/token"), 0u);
}

TEST_F(OidcConnectorTest, ADiscoveryDocumentWithPlainHttpEndpointsIsRefused) {
  provider.discovery["token_endpoint"] = "http://corp.example/token";
  ExpectRefused(StatusCode::kUnavailable, "token_endpoint");
}

TEST_F(OidcConnectorTest, UserinfoFillsAMissingEmailOnlyForTheSameSubject) {
  provider.id_token_claims.erase("email");
  provider.id_token_claims.erase("email_verified");
  provider.id_token_claims.erase("name");
  provider.userinfo = {{"sub", "248289761001"}, {"email", "jane@home.example"},
                       {"email_verified", "true"}, {"name", "Jane"}};
  auto identity = SignIn();
  ASSERT_TRUE(identity.ok()) << identity.status().ToString();
  EXPECT_EQ(identity->email, "jane@home.example");
  EXPECT_TRUE(identity->email_verified);
  EXPECT_EQ(identity->name, "Jane");
  EXPECT_EQ(provider.server.RequestsTo("/userinfo").at(0).Header("authorization"),
            "Bearer at-0123456789");

  provider.userinfo["sub"] = "someone-else";
  identity = SignIn();
  ASSERT_TRUE(identity.ok()) << identity.status().ToString();
  EXPECT_EQ(identity->subject, "248289761001");
  EXPECT_EQ(identity->email, "");
  EXPECT_FALSE(identity->email_verified);
  EXPECT_EQ(identity->name, "");
}

TEST_F(OidcConnectorTest, EmailVerifiedReadsBooleansAndTheStringTrue) {
  provider.id_token_claims["email_verified"] = "true";
  EXPECT_TRUE(SignIn()->email_verified);
  provider.id_token_claims["email_verified"] = "false";
  EXPECT_FALSE(SignIn()->email_verified);
  provider.id_token_claims["email_verified"] = false;
  EXPECT_FALSE(SignIn()->email_verified);
  provider.id_token_claims.erase("email_verified");
  EXPECT_FALSE(SignIn()->email_verified);
  provider.id_token_claims["email_verified"] = true;
  provider.id_token_claims["email"] = "bad\x01@corp.example";
  provider.userinfo.erase("email");  // else userinfo fills the email in
  auto identity = SignIn();
  EXPECT_EQ(identity->email, "") << "a value that cannot be stored is dropped";
  EXPECT_FALSE(identity->email_verified);
}

TEST_F(OidcConnectorTest, TheClaimMappingRenamesWhereFieldsComeFrom) {
  record.claim_mapping_json = R"({"email":"mail","username":"upn","name":"display_name"})";
  provider.id_token_claims["mail"] = "j.doe@corp.example";
  provider.id_token_claims["upn"] = "jdoe@corp";
  provider.id_token_claims["display_name"] = "J. Doe";
  auto identity = SignIn();
  ASSERT_TRUE(identity.ok()) << identity.status().ToString();
  EXPECT_EQ(identity->email, "j.doe@corp.example");
  EXPECT_TRUE(identity->email_verified);
  EXPECT_EQ(identity->username, "jdoe@corp");
  EXPECT_EQ(identity->name, "J. Doe");
  EXPECT_EQ(identity->picture, "https://corp.example/jane.png");

  EXPECT_TRUE(CheckClaimMapping("{}").ok());
  EXPECT_TRUE(CheckClaimMapping(record.claim_mapping_json).ok());
  for (std::string bad : {R"({"subject":"oid"})", R"({"email":""})", R"({"email":3})", "[]",
                          "not json", R"({"email":"a\nb"})"}) {
    EXPECT_EQ(CheckClaimMapping(bad).code(), StatusCode::kInvalidArgument) << bad;
  }
  record.claim_mapping_json = R"({"subject":"oid"})";
  ExpectRefused(StatusCode::kFailedPrecondition, "unknown field subject");
  EXPECT_EQ(NewConnector()->LoginUrl(login).status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(OidcConnectorTest, RecordEndpointsOverrideDiscoveryAndCanReplaceIt) {
  record.authorization_endpoint = provider.url("/authorize-custom");
  EXPECT_TRUE(NewConnector()->LoginUrl(login)->starts_with(provider.url("/authorize-custom?")));
  EXPECT_EQ(provider.server.CountTo("/.well-known/openid-configuration"), 1u);

  // Every endpoint the flow needs named: no discovery at all.
  provider.server.ClearRequests();
  ProviderMetadataCache fresh(http, clock);
  record.token_endpoint = provider.url("/token");
  record.jwks_uri = provider.url("/jwks");
  auto identity = MakeConnector(record, kSecret, http, fresh, clock)->Finish(
      login, {"code-1", "st-1", "", "", ""});
  ASSERT_TRUE(identity.ok()) << identity.status().ToString();
  EXPECT_EQ(provider.server.CountTo("/.well-known/openid-configuration"), 0u);
  EXPECT_EQ(provider.server.CountTo("/jwks"), 1u);
}

TEST_F(OidcConnectorTest, GooglePresetAcceptsGooglesOtherIssuerSpelling) {
  // Google's ID tokens may say "accounts.google.com" for https://accounts.google.com; only the
  // Google connector accepts that, and only as Google's alternative.
  provider.id_token_claims["iss"] = "accounts.google.com";
  ExpectRefused(StatusCode::kUnauthenticated, "wrong issuer");
  record.kind = store::ProviderKind::kGoogle;
  EXPECT_TRUE(SignIn().ok()) << SignIn().status().ToString();
  provider.id_token_claims["iss"] = "https://accounts.google.com";
  ExpectRefused(StatusCode::kUnauthenticated, "wrong issuer");  // not this record's issuer

  ConnectorDefaults google = DefaultsOf(store::ProviderKind::kGoogle);
  EXPECT_EQ(google.issuer, "https://accounts.google.com");
  EXPECT_EQ(google.scopes, "openid email profile");
  EXPECT_EQ(google.display_name, "Google");
  EXPECT_EQ(DefaultsOf(store::ProviderKind::kOidc).issuer, "");
}

// Records the URLs asked for and answers none: no network in unit tests.
class OfflineHttp final : public OutboundHttp {
 public:
  Result<OutboundResponse> Send(const OutboundRequest& request) override {
    urls.push_back(request.url);
    return UnavailableError("offline");
  }
  std::vector<std::string> urls;
};

TEST_F(OidcConnectorTest, AGoogleRecordWithoutIssuerUsesGoogles) {
  record.kind = store::ProviderKind::kGoogle;
  record.issuer = "";
  OfflineHttp offline;
  ProviderMetadataCache other(offline, clock);
  auto url = MakeConnector(record, kSecret, offline, other, clock)->LoginUrl(login);
  EXPECT_EQ(url.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(offline.urls,
              testing::ElementsAre("https://accounts.google.com/.well-known/openid-configuration"));
  // A generic record needs its issuer.
  record.kind = store::ProviderKind::kOidc;
  EXPECT_EQ(MakeConnector(record, kSecret, offline, other, clock)->LoginUrl(login).status().code(),
            StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace tessera::services
