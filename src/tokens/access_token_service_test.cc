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
    ko.master_key = crypto::RandomBytes(32);
    ko.publish_retired_for_ms = 60'000;
    keys_ = std::move(KeyService::Create(*store_, clock_, ko)).value();
    tokens_ = std::make_unique<AccessTokenService>(*keys_, clock_, 600, metrics_);
  }
  std::string Issue() {
    return tokens_->Issue({kIss, kIss, "user-1", "account-api", "account", "sess-1", 1}).value().token;
  }
  static constexpr const char* kIss = "https://id.example/apps/a";
  ManualClock clock_{1'800'000'000'000};
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

}  // namespace
}  // namespace tessera::services
