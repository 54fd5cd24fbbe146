// JwksCache over real HTTP (a loopback server) with a clock the tests move on.
#include "tessera/resource_server/jwks_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "jwks_server.h"
#include "test_keys.h"

namespace tessera::resource_server {
namespace {
using namespace std::chrono_literals;
using testing::JwksOf;
using testing::JwksServer;
using testing::TestKey;
using Outcome = KeyLookup::Outcome;

class JwksCacheTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    a_ = new TestKey(TestKey::Ec("a"));
    b_ = new TestKey(TestKey::Ed25519("b"));
  }
  static void TearDownTestSuite() {
    delete a_;
    delete b_;
  }

  std::unique_ptr<JwksCache> Cache(std::function<void(JwksCacheOptions&)> edit = nullptr) {
    JwksCacheOptions o;
    o.jwks_url = server_.url();
    o.max_age = 300s;
    o.min_refetch_interval = 30s;
    o.max_stale = 3600s;
    o.clock = [this] { return now_.load(); };
    if (edit) edit(o);
    return std::make_unique<JwksCache>(o);
  }
  void Advance(std::chrono::seconds s) { now_.store(now_.load() + s); }

  static TestKey* a_;
  static TestKey* b_;
  JwksServer server_;
  std::atomic<std::chrono::steady_clock::time_point> now_{std::chrono::steady_clock::time_point{} + 1000h};
};
TestKey* JwksCacheTest::a_ = nullptr;
TestKey* JwksCacheTest::b_ = nullptr;

TEST_F(JwksCacheTest, FetchesOnceAndServesFromTheCache) {
  server_.Serve(JwksOf({a_, b_}));
  auto cache = Cache();
  EXPECT_EQ(cache->Find("a", Algorithm::kES256).outcome, Outcome::kFound);
  EXPECT_EQ(cache->Find("b", Algorithm::kEdDSA).outcome, Outcome::kFound);
  Advance(299s);
  EXPECT_EQ(cache->Find("a", Algorithm::kES256).outcome, Outcome::kFound);
  EXPECT_EQ(server_.requests(), 1);
  EXPECT_EQ(cache->stats().keys, 2u);
}

TEST_F(JwksCacheTest, FetchesAgainAfterMaxAge) {
  server_.Serve(JwksOf({a_, b_}));
  auto cache = Cache();
  ASSERT_EQ(cache->Find("a", Algorithm::kES256).outcome, Outcome::kFound);
  server_.Serve(JwksOf({b_}));  // "a" retired
  Advance(301s);
  EXPECT_EQ(cache->Find("b", Algorithm::kEdDSA).outcome, Outcome::kFound);
  EXPECT_EQ(server_.requests(), 2);
  EXPECT_EQ(cache->Find("a", Algorithm::kES256).outcome, Outcome::kUnknownKey);
}

TEST_F(JwksCacheTest, UnknownKidRefetchesAtOnceThenIsRateLimited) {
  server_.Serve(JwksOf({a_}));
  auto cache = Cache();
  ASSERT_EQ(cache->Find("a", Algorithm::kES256).outcome, Outcome::kFound);
  Advance(40s);
  // A made-up kid: one refetch …
  EXPECT_EQ(cache->Find("zzz", Algorithm::kES256).outcome, Outcome::kUnknownKey);
  EXPECT_EQ(server_.requests(), 2);
  // … and for the next 30 s no more, however many tokens name unknown kids.
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(cache->Find("zzz" + std::to_string(i), Algorithm::kES256).outcome, Outcome::kUnknownKey);
  }
  Advance(10s);
  server_.Serve(JwksOf({a_, b_}));  // rotation published meanwhile
  EXPECT_EQ(cache->Find("b", Algorithm::kEdDSA).outcome, Outcome::kUnknownKey) << "still rate-limited";
  EXPECT_EQ(server_.requests(), 2);
  Advance(21s);  // 31 s after the last fetch
  EXPECT_EQ(cache->Find("b", Algorithm::kEdDSA).outcome, Outcome::kFound);
  EXPECT_EQ(server_.requests(), 3);
  // Known keys never wait for the rate limit.
  EXPECT_EQ(cache->Find("a", Algorithm::kES256).outcome, Outcome::kFound);
  EXPECT_EQ(server_.requests(), 3);
}

TEST_F(JwksCacheTest, RightAfterTheFirstFetchAnUnknownKidDoesNotFetchAgain) {
  server_.Serve(JwksOf({a_}));
  auto cache = Cache();
  EXPECT_EQ(cache->Find("nope", Algorithm::kES256).outcome, Outcome::kUnknownKey);
  EXPECT_EQ(cache->Find("nope", Algorithm::kES256).outcome, Outcome::kUnknownKey);
  EXPECT_EQ(server_.requests(), 1);
}

TEST_F(JwksCacheTest, AFailedFetchKeepsTheLastGoodKeysUntilMaxStale) {
  server_.Serve(JwksOf({a_}));
  auto cache = Cache();
  ASSERT_EQ(cache->Find("a", Algorithm::kES256).outcome, Outcome::kFound);
  server_.Serve("{\"error\":\"down\"}", 500);
  Advance(301s);
  EXPECT_EQ(cache->Find("a", Algorithm::kES256).outcome, Outcome::kFound) << "stale but usable";
  EXPECT_EQ(server_.requests(), 2);
  EXPECT_EQ(cache->stats().failures, 1u);
  EXPECT_NE(cache->stats().last_error.find("HTTP 500"), std::string::npos) << cache->stats().last_error;
  Advance(10s);
  EXPECT_EQ(cache->Find("a", Algorithm::kES256).outcome, Outcome::kFound);
  EXPECT_EQ(server_.requests(), 2) << "failures are rate-limited too";
  Advance(3600s);
  KeyLookup gone = cache->Find("a", Algorithm::kES256);
  EXPECT_EQ(gone.outcome, Outcome::kUnavailable);
  EXPECT_EQ(server_.requests(), 3);
}

TEST_F(JwksCacheTest, NothingFetchedIsUnavailable) {
  server_.Serve("not json", 200);
  auto cache = Cache();
  KeyLookup r = cache->Find("a", Algorithm::kES256);
  EXPECT_EQ(r.outcome, Outcome::kUnavailable);
  EXPECT_NE(r.detail.find("not a JSON object"), std::string::npos) << r.detail;
  std::string error;
  EXPECT_FALSE(cache->Refresh(&error));
  server_.Serve(JwksOf({a_}));
  EXPECT_TRUE(cache->Refresh(&error)) << error;
  EXPECT_EQ(cache->Find("a", Algorithm::kES256).outcome, Outcome::kFound);
}

TEST_F(JwksCacheTest, ResponsesOverTheSizeLimitAreRefused) {
  std::string big = JwksOf({a_});
  big.insert(1, "\"padding\":\"" + std::string(300 * 1024, 'x') + "\",");
  server_.Serve(big);
  auto cache = Cache();
  KeyLookup r = cache->Find("a", Algorithm::kES256);
  EXPECT_EQ(r.outcome, Outcome::kUnavailable);
  EXPECT_NE(r.detail.find("larger than"), std::string::npos) << r.detail;
}

TEST_F(JwksCacheTest, ASlowServerTimesOut) {
  server_.Serve(JwksOf({a_}));
  server_.SetDelay(3000ms);
  auto cache = Cache([](JwksCacheOptions& o) { o.request_timeout = 300ms; });
  auto start = std::chrono::steady_clock::now();
  KeyLookup r = cache->Find("a", Algorithm::kES256);
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.outcome, Outcome::kUnavailable);
  EXPECT_LT(took, 2000ms);
  server_.SetDelay(0ms);
}

TEST_F(JwksCacheTest, UnusableKeysAreSkippedNotFatal) {
  TestKey small = TestKey::Rsa("small", 1024);
  std::string doc = "{\"keys\":[" + boost::json::serialize(small.Jwk()) +
                    ",{\"kty\":\"oct\",\"kid\":\"hmac\",\"k\":\"c2VjcmV0\"}," +
                    "{\"kty\":\"EC\",\"kid\":\"p384\",\"crv\":\"P-384\",\"x\":\"AA\",\"y\":\"AA\"}," +
                    boost::json::serialize(a_->Jwk()) + "]}";
  std::string error;
  std::vector<std::string> skipped;
  auto keys = ParseJwks(doc, 64, &error, &skipped);
  ASSERT_TRUE(keys) << error;
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ((*keys)[0]->kid(), "a");
  ASSERT_EQ(skipped.size(), 3u);
  EXPECT_NE(skipped[0].find("1024 bits"), std::string::npos) << skipped[0];
  server_.Serve(doc);
  auto cache = Cache();
  EXPECT_EQ(cache->Find("a", Algorithm::kES256).outcome, Outcome::kFound);
  EXPECT_EQ(cache->Find("small", Algorithm::kRS256).outcome, Outcome::kUnknownKey);
}

TEST_F(JwksCacheTest, JwkChecks) {
  std::string error;
  boost::json::object j = a_->Jwk();
  j["use"] = "enc";
  EXPECT_EQ(PublicKey::FromJwk(j, &error), nullptr);
  j = a_->Jwk();
  j["d"] = "AAAA";
  EXPECT_EQ(PublicKey::FromJwk(j, &error), nullptr);
  EXPECT_NE(error.find("private"), std::string::npos) << error;
  j = a_->Jwk();
  j["alg"] = "RS256";  // kty EC
  EXPECT_EQ(PublicKey::FromJwk(j, &error), nullptr);
  j = a_->Jwk();
  j["alg"] = "HS256";
  EXPECT_EQ(PublicKey::FromJwk(j, &error), nullptr);
  j = a_->Jwk();
  j["x"] = j["y"];  // almost certainly not on the curve
  EXPECT_EQ(PublicKey::FromJwk(j, &error), nullptr);
  j = a_->Jwk(/*with_alg=*/false);
  auto key = PublicKey::FromJwk(j, &error);
  ASSERT_NE(key, nullptr) << error;
  EXPECT_TRUE(key->Fits(Algorithm::kES256));
  EXPECT_FALSE(key->Fits(Algorithm::kRS256));
}

TEST_F(JwksCacheTest, ConcurrentLookupsShareOneFetch) {
  server_.Serve(JwksOf({a_, b_}));
  server_.SetDelay(200ms);
  auto cache = Cache();
  std::atomic<int> found{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      const char* kid = i % 2 ? "a" : "b";
      Algorithm alg = i % 2 ? Algorithm::kES256 : Algorithm::kEdDSA;
      if (cache->Find(kid, alg).outcome == Outcome::kFound) ++found;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(found.load(), 8);
  EXPECT_EQ(server_.requests(), 1);
}

TEST(JwksCacheUrlTest, PlainHttpOnlyToLoopback) {
  auto make = [](std::string url, bool insecure = false) {
    JwksCacheOptions o;
    o.jwks_url = std::move(url);
    o.allow_insecure_http = insecure;
    return std::make_unique<JwksCache>(o);
  };
  EXPECT_NO_THROW(make("https://id.example.com/apps/a/.well-known/jwks.json"));
  EXPECT_NO_THROW(make("http://127.0.0.1:8080/apps/a/.well-known/jwks.json"));
  EXPECT_NO_THROW(make("http://localhost/apps/a/.well-known/jwks.json"));
  EXPECT_NO_THROW(make("http://[::1]:1/x"));
  EXPECT_THROW(make("http://id.example.com/apps/a/.well-known/jwks.json"), std::invalid_argument);
  EXPECT_THROW(make("http://127.0.0.1.evil.example/x"), std::invalid_argument);
  EXPECT_THROW(make("http://localhost@evil.example/x"), std::invalid_argument);
  EXPECT_NO_THROW(make("http://tessera:8080/apps/a/.well-known/jwks.json", true));
  EXPECT_THROW(make("file:///etc/passwd"), std::invalid_argument);
  EXPECT_THROW(make("ftp://id.example.com/jwks"), std::invalid_argument);
  EXPECT_THROW(make("not a url"), std::invalid_argument);
  EXPECT_EQ(JwksCache::UrlForIssuer("https://id.example.com/apps/blog/"),
            "https://id.example.com/apps/blog/.well-known/jwks.json");
}

}  // namespace
}  // namespace tessera::resource_server
