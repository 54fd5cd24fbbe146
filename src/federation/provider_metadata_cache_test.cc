// The provider metadata cache against a provider on loopback: freshness, the refetch limit,
// stale entries while the provider is down, the bound on issuers, and reading a JWKS.
#include "federation/provider_metadata_cache.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/fake_upstreams.h"

namespace tessera::services {
namespace {

namespace json = boost::json;
using testing::HasSubstr;
using testing_support::FakeOidcProvider;
using testing_support::LoopbackRequest;
using testing_support::LoopbackResponse;

constexpr int64_t kNow = 1'800'000'000;
constexpr char kDiscovery[] = "/.well-known/openid-configuration";

class FederationMetadataCacheTest : public testing::Test {
 protected:
  FederationMetadataCacheTest() : provider(kNow), http(Options()), cache(http, clock) {}

  static CurlOutboundHttpOptions Options() {
    CurlOutboundHttpOptions o;
    o.total_timeout_ms = 1000;
    o.allow_private_addresses = true;  // the fake provider is on 127.0.0.1
    return o;
  }

  ManualClock clock{kNow * 1000};
  FakeOidcProvider provider;
  CurlOutboundHttp http;
  ProviderMetadataCache cache;
};

TEST_F(FederationMetadataCacheTest, DiscoveryIsKeptAnHour) {
  auto m = cache.Discover(provider.issuer());
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ((*m)->issuer, provider.issuer());
  EXPECT_EQ((*m)->token_endpoint, provider.url("/token"));
  EXPECT_EQ((*m)->jwks_uri, provider.url("/jwks"));
  EXPECT_EQ((*m)->userinfo_endpoint, provider.url("/userinfo"));
  EXPECT_THAT((*m)->token_endpoint_auth_methods_supported,
              testing::ElementsAre("client_secret_basic", "client_secret_post"));
  EXPECT_FALSE((*m)->authorization_response_iss_parameter_supported);
  clock.Advance(59 * 60 * 1000);
  ASSERT_TRUE(cache.Discover(provider.issuer()).ok());
  EXPECT_EQ(provider.server.CountTo(kDiscovery), 1u);
  clock.Advance(2 * 60 * 1000);
  ASSERT_TRUE(cache.Discover(provider.issuer()).ok());
  EXPECT_EQ(provider.server.CountTo(kDiscovery), 2u);
  // A trailing slash of the issuer is not doubled (OpenID Connect Discovery §4).
  provider.discovery["issuer"] = provider.issuer() + "/";
  ASSERT_TRUE(cache.Discover(provider.issuer() + "/").ok());
  EXPECT_EQ(provider.server.RequestsTo(kDiscovery).back().target, kDiscovery);
}

TEST_F(FederationMetadataCacheTest, AnExpiredDocumentServesWhileTheProviderIsDown) {
  ASSERT_TRUE(cache.Discover(provider.issuer()).ok());
  provider.server.Route("GET", kDiscovery, [](const LoopbackRequest&) {
    return LoopbackResponse::Json({{"error", "down"}}, 503);
  });
  clock.Advance(61 * 60 * 1000);
  auto stale = cache.Discover(provider.issuer());
  ASSERT_TRUE(stale.ok()) << stale.status().ToString();
  EXPECT_EQ((*stale)->token_endpoint, provider.url("/token"));
  EXPECT_EQ(provider.server.CountTo(kDiscovery), 2u);
  // No new attempt within the minute, one after it.
  clock.Advance(30 * 1000);
  EXPECT_TRUE(cache.Discover(provider.issuer()).ok());
  EXPECT_EQ(provider.server.CountTo(kDiscovery), 2u);
  clock.Advance(31 * 1000);
  EXPECT_TRUE(cache.Discover(provider.issuer()).ok());
  EXPECT_EQ(provider.server.CountTo(kDiscovery), 3u);
  // A day later the stale document is no longer used.
  clock.Advance(25 * 60 * 60 * 1000);
  auto gone = cache.Discover(provider.issuer());
  EXPECT_EQ(gone.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(gone.status().message(), HasSubstr("HTTP 503"));
}

TEST_F(FederationMetadataCacheTest, KeysAreFoundByKidAndRefetchedAtMostOnceAMinute) {
  const std::string jwks = provider.url("/jwks");
  auto key = cache.FindKey(provider.issuer(), jwks, "k1");
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->alg(), crypto::JwsAlg::kRS256);
  EXPECT_FALSE(key->has_private_key());
  // Unknown kids: the first refetches (a rotation?), the rest of the minute's do not.
  for (int i = 0; i < 5; ++i) {
    auto forged = cache.FindKey(provider.issuer(), jwks, "forged-" + std::to_string(i));
    EXPECT_EQ(forged.status().code(), StatusCode::kUnauthenticated);
  }
  EXPECT_EQ(provider.server.CountTo("/jwks"), 2u);
  clock.Advance(59 * 1000);
  EXPECT_FALSE(cache.FindKey(provider.issuer(), jwks, "forged").ok());
  EXPECT_EQ(provider.server.CountTo("/jwks"), 2u);
  clock.Advance(1000);
  EXPECT_FALSE(cache.FindKey(provider.issuer(), jwks, "forged").ok());
  EXPECT_FALSE(cache.FindKey(provider.issuer(), jwks, "forged-2").ok());
  EXPECT_EQ(provider.server.CountTo("/jwks"), 3u);
  EXPECT_TRUE(cache.FindKey(provider.issuer(), jwks, "k1").ok());
  EXPECT_EQ(provider.server.CountTo("/jwks"), 3u);
  // After an hour the set is fetched again even for a known kid.
  clock.Advance(60 * 60 * 1000);
  EXPECT_TRUE(cache.FindKey(provider.issuer(), jwks, "k1").ok());
  EXPECT_EQ(provider.server.CountTo("/jwks"), 4u);
}

TEST_F(FederationMetadataCacheTest, AnExpiredKeySetServesWhileTheProviderIsDown) {
  const std::string jwks = provider.url("/jwks");
  ASSERT_TRUE(cache.FindKey(provider.issuer(), jwks, "k1").ok());
  provider.server.Route("GET", "/jwks", [](const LoopbackRequest&) {
    return LoopbackResponse::Json({{"error", "down"}}, 502);
  });
  clock.Advance(61 * 60 * 1000);
  EXPECT_TRUE(cache.FindKey(provider.issuer(), jwks, "k1").ok());
  EXPECT_EQ(provider.server.CountTo("/jwks"), 2u);
  clock.Advance(10 * 1000);  // no new try within the minute, known or unknown kid
  EXPECT_TRUE(cache.FindKey(provider.issuer(), jwks, "k1").ok());
  EXPECT_EQ(cache.FindKey(provider.issuer(), jwks, "k9").status().code(),
            StatusCode::kUnauthenticated);
  EXPECT_EQ(provider.server.CountTo("/jwks"), 2u);
  // Another cache, never fetched: the failure is the provider's.
  ProviderMetadataCache empty(http, clock);
  auto none = empty.FindKey(provider.issuer(), jwks, "k1");
  EXPECT_EQ(none.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(none.status().message(), HasSubstr("HTTP 502"));
}

TEST_F(FederationMetadataCacheTest, KeepsABoundedNumberOfIssuers) {
  ProviderMetadataCacheOptions options;
  options.max_issuers = 2;
  ProviderMetadataCache small(http, clock, options);
  FakeOidcProvider second(kNow), third(kNow);
  ASSERT_TRUE(small.Discover(provider.issuer()).ok());
  ASSERT_TRUE(small.Discover(second.issuer()).ok());
  ASSERT_TRUE(small.Discover(provider.issuer()).ok());  // now the most recently used
  ASSERT_TRUE(small.Discover(third.issuer()).ok());     // evicts `second`
  ASSERT_TRUE(small.Discover(provider.issuer()).ok());
  ASSERT_TRUE(small.Discover(second.issuer()).ok());
  EXPECT_EQ(provider.server.CountTo(kDiscovery), 1u);
  EXPECT_EQ(second.server.CountTo(kDiscovery), 2u);
  EXPECT_EQ(third.server.CountTo(kDiscovery), 1u);
}

TEST_F(FederationMetadataCacheTest, ReadsTheUsableKeysOfAJwks) {
  auto es = crypto::SigningKey::Generate(crypto::JwsAlg::kES256, "es").value();
  auto ed = crypto::SigningKey::Generate(crypto::JwsAlg::kEdDSA, "ed").value();
  auto rs = crypto::SigningKey::Generate(crypto::JwsAlg::kRS256, "rs").value();
  json::object enc = rs.PublicJwk();
  enc["use"] = "enc";
  enc["kid"] = "enc";
  json::object private_key = es.PublicJwk();
  private_key["kid"] = "leaked";
  private_key["d"] = private_key["x"];
  json::object twin = ed.PublicJwk();
  twin["x"] = es.PublicJwk()["x"];  // same kid "ed", another (here invalid) key: first wins
  json::array keys{es.PublicJwk(), enc, "not an object", private_key, ed.PublicJwk(), twin,
                   rs.PublicJwk(), json::object{{"kty", "oct"}, {"k", "c2VjcmV0"}}};
  auto parsed = ProviderMetadataCache::ParseJwks(json::serialize(json::object{{"keys", keys}}), 32);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  std::vector<std::string> kids;
  for (const auto& [kid, key] : *parsed) kids.push_back(kid);
  EXPECT_THAT(kids, testing::ElementsAre("ed", "es", "rs"));
  EXPECT_EQ(parsed->at("ed").PublicJwk(), ed.PublicJwk());

  auto bounded = ProviderMetadataCache::ParseJwks(json::serialize(json::object{{"keys", keys}}), 2);
  ASSERT_TRUE(bounded.ok());
  EXPECT_EQ(bounded->size(), 2u);

  for (std::string bad : {"[]", "{}", R"({"keys":{}})", R"({"keys":[]})", "nope",
                          R"({"keys":[{"kty":"oct","k":"c2VjcmV0"}]})"}) {
    EXPECT_EQ(ProviderMetadataCache::ParseJwks(bad, 32).status().code(), StatusCode::kUnavailable)
        << bad;
  }
}

}  // namespace
}  // namespace tessera::services
