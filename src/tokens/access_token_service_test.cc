// Access tokens: issuance per RFC 9068, and that the verified-token cache never accepts
// what a full verification would refuse.
#include "tokens/access_token_service.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "tests/store/test_database.h"
#include "crypto/encoding.h"
#include "crypto/random.h"

namespace tessera::services {
namespace {

class AccessTokenServiceTest : public testing::Test {
 protected:
  void SetUp() override {
    db_ = std::move(store::test::TestDatabase::Create("sqlite")).value();
    store_ = std::move(db_->OpenStore()).value();
    KeyServiceOptions ko;
    ko.master_key = master_key_;
    ko.publish_retired_for_ms = 60'000;
    ko.stage_ms = 0;  // rotations sign at once here (staging: key_service_test.cc)
    keys_ = std::move(KeyService::Create(*store_, clock_, ko)).value();
    tokens_ = std::make_unique<AccessTokenService>(*keys_, clock_, 600, metrics_);
  }
  std::string Issue() {
    return tokens_->Issue({kIss, kIss, "user-1", "account-api", "account", "sess-1", 1}).value().token;
  }
  static constexpr const char* kIss = "https://id.example/apps/a";
  ManualClock clock_{1'800'000'000'000};
  std::string master_key_ = crypto::RandomBytes(32);
  Metrics metrics_;
  std::unique_ptr<store::test::TestDatabase> db_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<KeyService> keys_;
  std::unique_ptr<AccessTokenService> tokens_;
};

TEST_F(AccessTokenServiceTest, IssuesRfc9068Claims) {
  std::string token = Issue();
  auto header = boost::json::parse(*crypto::Base64UrlDecode(token.substr(0, token.find('.'))));
  EXPECT_EQ(header.at("typ").as_string(), "at+jwt");
  EXPECT_EQ(header.at("alg").as_string(), "ES256");
  size_t d1 = token.find('.'), d2 = token.rfind('.');
  auto claims = boost::json::parse(*crypto::Base64UrlDecode(token.substr(d1 + 1, d2 - d1 - 1))).as_object();
  for (const char* c : {"iss", "sub", "aud", "exp", "iat", "jti", "client_id"}) {
    EXPECT_TRUE(claims.contains(c)) << c;
  }
  EXPECT_EQ(claims["exp"].as_int64() - claims["iat"].as_int64(), 600);
  EXPECT_EQ(metrics_.access_tokens_issued.Value(), 1u);
}

TEST_F(AccessTokenServiceTest, CachedTokenStillHonoursExpiryIssuerAndAudience) {
  std::string token = Issue();
  ASSERT_TRUE(tokens_->Verify(token, kIss, kIss).ok());      // verified, now cached
  EXPECT_EQ(tokens_->Verify(token, kIss, kIss)->subject, "user-1");  // served from cache
  EXPECT_EQ(tokens_->Verify(token, "https://id.example/apps/b", "https://id.example/apps/b")
                .status().code(),
            StatusCode::kUnauthenticated);
  EXPECT_EQ(tokens_->Verify(token, kIss, "other-audience").status().code(),
            StatusCode::kUnauthenticated);
  clock_.Advance((600 + 31) * 1000LL);
  EXPECT_EQ(tokens_->Verify(token, kIss, kIss).status().message(), "invalid token: expired");
}

TEST_F(AccessTokenServiceTest, ForgedSignatureNeverHitsTheCache) {
  std::string token = Issue();
  ASSERT_TRUE(tokens_->Verify(token, kIss, kIss).ok());
  std::string forged = token;
  forged[forged.size() - 5] = forged[forged.size() - 5] == 'A' ? 'B' : 'A';
  EXPECT_EQ(tokens_->Verify(forged, kIss, kIss).status().code(), StatusCode::kUnauthenticated);
}

TEST_F(AccessTokenServiceTest, TokensOfAnUnpublishedKeyAreRefusedEvenWhenCached) {
  std::string token = Issue();
  ASSERT_TRUE(tokens_->Verify(token, kIss, kIss).ok());
  ASSERT_TRUE(keys_->Rotate().ok());
  EXPECT_TRUE(tokens_->Verify(token, kIss, kIss).ok());  // previous key still published
  clock_.Advance(61'000);                                 // past publish_retired_for
  ASSERT_TRUE(keys_->Rotate().ok());                      // reload drops the old key
  EXPECT_EQ(tokens_->Verify(token, kIss, kIss).status().code(), StatusCode::kUnauthenticated);
  EXPECT_TRUE(tokens_->Verify(Issue(), kIss, kIss).ok());  // the new key signs and verifies
}

// Issue 12: one active key per algorithm (ES256 signs access tokens, RS256 is always there for
// ID tokens), all published with kid, alg and use; rotation replaces one algorithm's key or all.
TEST_F(AccessTokenServiceTest, KeySetHoldsOneActiveKeyPerAlgorithm) {
  auto set = keys_->Current();
  ASSERT_NE(set->Active(crypto::JwsAlg::kES256), nullptr);
  ASSERT_NE(set->Active(crypto::JwsAlg::kRS256), nullptr);
  EXPECT_EQ(set->Active(crypto::JwsAlg::kEdDSA), nullptr);  // only when configured
  EXPECT_EQ(set->keys.front().alg(), crypto::JwsAlg::kES256);  // access tokens
  const auto& published = set->jwks.at("keys").as_array();
  ASSERT_EQ(published.size(), 2u);
  for (const auto& k : published) {
    EXPECT_EQ(k.at("use"), "sig");
    EXPECT_FALSE(k.at("kid").as_string().empty());
    EXPECT_TRUE(k.at("alg") == "ES256" || k.at("alg") == "RS256") << k;
  }
  std::string es = set->Active(crypto::JwsAlg::kES256)->kid();
  std::string rs = set->Active(crypto::JwsAlg::kRS256)->kid();

  auto one = keys_->Rotate(crypto::JwsAlg::kRS256);
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->size(), 1u);
  set = keys_->Current();
  EXPECT_EQ(set->Active(crypto::JwsAlg::kES256)->kid(), es);  // untouched
  EXPECT_EQ(set->Active(crypto::JwsAlg::kRS256)->kid(), (*one)[0].kid);
  EXPECT_NE(set->Find(rs), nullptr);  // the replaced key stays published
  EXPECT_EQ(set->jwks.at("keys").as_array().size(), 3u);

  auto all = keys_->Rotate();
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 2u);
  set = keys_->Current();
  EXPECT_NE(set->Active(crypto::JwsAlg::kES256)->kid(), es);

  // A second service on the same database (another node, or a restart with EdDSA added) sees
  // the same active keys and adds only what is missing.
  KeyServiceOptions ko;
  ko.master_key = master_key_;
  ko.algs = {crypto::JwsAlg::kES256, crypto::JwsAlg::kRS256, crypto::JwsAlg::kEdDSA};
  auto node2 = KeyService::Create(*store_, clock_, ko);
  ASSERT_TRUE(node2.ok()) << node2.status().ToString();
  auto set2 = (*node2)->Current();
  EXPECT_EQ(set2->Active(crypto::JwsAlg::kES256)->kid(), set->Active(crypto::JwsAlg::kES256)->kid());
  EXPECT_EQ(set2->Active(crypto::JwsAlg::kRS256)->kid(), set->Active(crypto::JwsAlg::kRS256)->kid());
  EXPECT_NE(set2->Active(crypto::JwsAlg::kEdDSA), nullptr);
}

}  // namespace
}  // namespace tessera::services
