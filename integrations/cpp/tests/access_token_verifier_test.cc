// AccessTokenVerifier against real keys (RSA 2048, EC P-256, Ed25519 made with OpenSSL here),
// whose JWKS a loopback HTTP server publishes and JwksCache fetches with libcurl.
#include "tessera/resource_server/access_token_verifier.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>

#include <boost/json.hpp>

#include "jwks_server.h"
#include "test_keys.h"
#include "tessera/resource_server/jwks_cache.h"

namespace tessera::resource_server {
namespace {
namespace json = boost::json;
using testing::AtHeader;
using testing::B64;
using testing::JwksOf;
using testing::JwksServer;
using testing::SignJwt;
using testing::TestKey;

constexpr char kIssuer[] = "https://id.example.test/apps/blog";
constexpr std::int64_t kNow = 1'800'000'000;

class VerifierTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    rsa_ = new TestKey(TestKey::Rsa("rsa-1"));
    ec_ = new TestKey(TestKey::Ec("ec-1"));
    ed_ = new TestKey(TestKey::Ed25519("ed-1"));
    other_rsa_ = new TestKey(TestKey::Rsa("rsa-1"));  // same kid, another key
  }
  static void TearDownTestSuite() {
    delete rsa_;
    delete ec_;
    delete ed_;
    delete other_rsa_;
  }

  void SetUp() override {
    server_.Serve(JwksOf({rsa_, ec_, ed_}));
    JwksCacheOptions o;
    o.jwks_url = server_.url();
    o.clock = [this] { return clock_.load(); };
    cache_ = std::make_shared<JwksCache>(o);
  }

  AccessTokenVerifier Verifier(std::function<void(VerifierOptions&)> edit = nullptr) {
    VerifierOptions o;
    o.issuer = kIssuer;
    o.now = [] { return kNow; };
    if (edit) edit(o);
    return AccessTokenVerifier(o, cache_);
  }

  static json::object Claims() {
    return {{"iss", kIssuer},         {"sub", "user-42"},
            {"aud", kIssuer},         {"exp", kNow + 600},
            {"iat", kNow},            {"jti", "at-1"},
            {"client_id", "pocket"},  {"scope", "openid profile roles"},
            {"sid", "s-1"},           {"auth_time", kNow - 5},
            {"roles", json::array{"admin", "editor"}}};
  }

  VerifyErrorCode CodeOf(const std::string& token) {
    VerifyResult r = Verifier().Verify(token);
    EXPECT_FALSE(r.ok()) << "accepted: " << token;
    return r.ok() ? VerifyErrorCode::kMalformed : r.error().code;
  }

  static TestKey* rsa_;
  static TestKey* ec_;
  static TestKey* ed_;
  static TestKey* other_rsa_;
  JwksServer server_;
  std::shared_ptr<JwksCache> cache_;
  std::atomic<std::chrono::steady_clock::time_point> clock_{std::chrono::steady_clock::now()};
};
TestKey* VerifierTest::rsa_ = nullptr;
TestKey* VerifierTest::ec_ = nullptr;
TestKey* VerifierTest::ed_ = nullptr;
TestKey* VerifierTest::other_rsa_ = nullptr;

TEST_F(VerifierTest, AcceptsRs256Es256AndEdDsaTokensOfTheIssuer) {
  for (TestKey* key : {rsa_, ec_, ed_}) {
    VerifyResult r = Verifier().Verify(SignJwt(*key, AtHeader(*key), Claims()));
    ASSERT_TRUE(r.ok()) << key->alg() << ": " << r.error().reason;
    EXPECT_EQ(r->subject, "user-42");
    EXPECT_EQ(r->client_id, "pocket");
    EXPECT_EQ(r->issuer, kIssuer);
    EXPECT_EQ(r->token_id, "at-1");
    EXPECT_EQ(r->expires_at, kNow + 600);
    EXPECT_EQ(r->scopes, (std::set<std::string>{"openid", "profile", "roles"}));
    EXPECT_EQ(r->roles, (std::set<std::string>{"admin", "editor"}));
    EXPECT_EQ(r->claims.at("sid").as_string(), "s-1");
  }
  EXPECT_EQ(server_.requests(), 1) << "one fetch serves every token while the keys are fresh";
}

TEST_F(VerifierTest, HasScopeAndHasRole) {
  VerifyResult r = Verifier().Verify(SignJwt(*ec_, AtHeader(*ec_), Claims()));
  ASSERT_TRUE(r.ok()) << r.error().reason;
  EXPECT_TRUE(HasScope(r.value(), "profile"));
  EXPECT_FALSE(HasScope(r.value(), "email"));
  EXPECT_FALSE(HasScope(r.value(), "prof"));
  EXPECT_TRUE(HasRole(r.value(), "admin"));
  EXPECT_FALSE(r->HasRole("Admin"));
  json::object c = Claims();
  c.erase("roles");
  c.erase("scope");
  VerifyResult bare = Verifier().Verify(SignJwt(*ec_, AtHeader(*ec_), c));
  ASSERT_TRUE(bare.ok()) << bare.error().reason;
  EXPECT_TRUE(bare->roles.empty());
  EXPECT_TRUE(bare->scopes.empty());
}

TEST_F(VerifierTest, TypMayCarryTheApplicationPrefixInAnyCase) {
  for (const char* typ : {"at+jwt", "application/at+jwt", "AT+JWT", "Application/At+Jwt"}) {
    json::object h = AtHeader(*ed_);
    h["typ"] = typ;
    EXPECT_TRUE(Verifier().Verify(SignJwt(*ed_, h, Claims())).ok()) << typ;
  }
}

TEST_F(VerifierTest, RefusesOtherTypes) {
  for (const char* typ : {"JWT", "jwt", "at+jwt2", "id_token+jwt", ""}) {
    json::object h = AtHeader(*ed_);
    h["typ"] = typ;
    EXPECT_EQ(CodeOf(SignJwt(*ed_, h, Claims())), VerifyErrorCode::kWrongType) << typ;
  }
  json::object h = AtHeader(*ed_);
  h.erase("typ");  // an ID token has no typ, or "JWT"
  EXPECT_EQ(CodeOf(SignJwt(*ed_, h, Claims())), VerifyErrorCode::kWrongType);
}

TEST_F(VerifierTest, ExpiredUnlessWithinTheLeeway) {
  json::object c = Claims();
  c["exp"] = kNow - 61;
  EXPECT_EQ(CodeOf(SignJwt(*rsa_, AtHeader(*rsa_), c)), VerifyErrorCode::kExpired);
  c["exp"] = kNow - 30;  // leeway 60 s
  EXPECT_TRUE(Verifier().Verify(SignJwt(*rsa_, AtHeader(*rsa_), c)).ok());
  auto strict = Verifier([](VerifierOptions& o) { o.leeway = std::chrono::seconds(0); });
  VerifyResult r = strict.Verify(SignJwt(*rsa_, AtHeader(*rsa_), c));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, VerifyErrorCode::kExpired);
  EXPECT_EQ(r.error().http_status(), 401);
  c["exp"] = kNow;  // exp is the first second the token is no longer valid
  EXPECT_FALSE(strict.Verify(SignJwt(*rsa_, AtHeader(*rsa_), c)).ok());
}

TEST_F(VerifierTest, NotBeforeAndIssuedAtInTheFuture) {
  json::object c = Claims();
  c["nbf"] = kNow + 120;
  EXPECT_EQ(CodeOf(SignJwt(*ec_, AtHeader(*ec_), c)), VerifyErrorCode::kNotYetValid);
  c["nbf"] = kNow + 30;
  EXPECT_TRUE(Verifier().Verify(SignJwt(*ec_, AtHeader(*ec_), c)).ok());
  c = Claims();
  c["iat"] = kNow + 120;
  EXPECT_EQ(CodeOf(SignJwt(*ec_, AtHeader(*ec_), c)), VerifyErrorCode::kIssuedInFuture);
}

TEST_F(VerifierTest, WrongIssuerIsAnotherApp) {
  json::object c = Claims();
  c["iss"] = "https://id.example.test/apps/shop";  // same keys, other app
  c["aud"] = "https://id.example.test/apps/shop";
  EXPECT_EQ(CodeOf(SignJwt(*rsa_, AtHeader(*rsa_), c)), VerifyErrorCode::kWrongIssuer);
  c["iss"] = std::string(kIssuer) + "/";  // exact comparison
  c["aud"] = kIssuer;
  EXPECT_EQ(CodeOf(SignJwt(*rsa_, AtHeader(*rsa_), c)), VerifyErrorCode::kWrongIssuer);
  c.erase("iss");
  EXPECT_EQ(CodeOf(SignJwt(*rsa_, AtHeader(*rsa_), c)), VerifyErrorCode::kMissingClaim);
  // What a token says is quoted in reasons (logs, responses) as printable text only.
  c["iss"] = "https://evil.example/\r\nX-Injected: 1";
  VerifyResult r = Verifier().Verify(SignJwt(*rsa_, AtHeader(*rsa_), c));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().reason.find_first_of("\r\n"), std::string::npos) << r.error().reason;
}

TEST_F(VerifierTest, AudienceMustContainTheExpectedOne) {
  json::object c = Claims();
  c["aud"] = "https://api.example.test";
  EXPECT_EQ(CodeOf(SignJwt(*ed_, AtHeader(*ed_), c)), VerifyErrorCode::kWrongAudience);
  c["aud"] = json::array{"https://api.example.test", kIssuer};
  EXPECT_TRUE(Verifier().Verify(SignJwt(*ed_, AtHeader(*ed_), c)).ok());
  c["aud"] = json::array{};
  EXPECT_EQ(CodeOf(SignJwt(*ed_, AtHeader(*ed_), c)), VerifyErrorCode::kWrongAudience);
  c.erase("aud");
  EXPECT_EQ(CodeOf(SignJwt(*ed_, AtHeader(*ed_), c)), VerifyErrorCode::kMissingClaim);
  // A resource server with an audience of its own.
  c["aud"] = "https://api.example.test";
  auto api = Verifier([](VerifierOptions& o) { o.audience = "https://api.example.test"; });
  EXPECT_TRUE(api.Verify(SignJwt(*ed_, AtHeader(*ed_), c)).ok());
}

TEST_F(VerifierTest, AlgNoneIsRefused) {
  json::object h{{"alg", "none"}, {"typ", "at+jwt"}, {"kid", "rsa-1"}};
  std::string token = B64(json::serialize(h)) + "." + B64(json::serialize(Claims())) + ".";
  EXPECT_EQ(CodeOf(token), VerifyErrorCode::kUnsupportedAlgorithm);
  h["alg"] = "None";
  token = B64(json::serialize(h)) + "." + B64(json::serialize(Claims())) + "." + B64("x");
  EXPECT_EQ(CodeOf(token), VerifyErrorCode::kUnsupportedAlgorithm);
  EXPECT_EQ(server_.requests(), 0) << "refused before any key is looked up";
}

TEST_F(VerifierTest, Hs256WithThePublicKeyAsSecretIsRefused) {
  // The classic confusion: the attacker signs with HMAC using the public key the
  // server would use for RS256 (as PEM, and as the JWK's raw modulus).
  json::object h{{"alg", "HS256"}, {"typ", "at+jwt"}, {"kid", "rsa-1"}};
  EXPECT_EQ(CodeOf(testing::HmacJwt(h, Claims(), rsa_->PublicPem())),
            VerifyErrorCode::kUnsupportedAlgorithm);
  EXPECT_EQ(CodeOf(testing::HmacJwt(h, Claims(), json::serialize(rsa_->Jwk()))),
            VerifyErrorCode::kUnsupportedAlgorithm);
  for (const char* alg : {"HS384", "HS512", "RS384", "PS256", "ES384", "ES256K"}) {
    h["alg"] = alg;
    EXPECT_EQ(CodeOf(testing::HmacJwt(h, Claims(), "secret")), VerifyErrorCode::kUnsupportedAlgorithm)
        << alg;
  }
}

TEST_F(VerifierTest, AlgorithmsCanBeNarrowed) {
  auto es_only = Verifier([](VerifierOptions& o) { o.algorithms = {Algorithm::kES256}; });
  EXPECT_TRUE(es_only.Verify(SignJwt(*ec_, AtHeader(*ec_), Claims())).ok());
  VerifyResult r = es_only.Verify(SignJwt(*rsa_, AtHeader(*rsa_), Claims()));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, VerifyErrorCode::kUnsupportedAlgorithm);
}

TEST_F(VerifierTest, TamperedPayloadFailsTheSignature) {
  for (TestKey* key : {rsa_, ec_, ed_}) {
    std::string token = SignJwt(*key, AtHeader(*key), Claims());
    json::object c = Claims();
    c["roles"] = json::array{"admin", "owner"};
    c["sub"] = "user-1";
    size_t d1 = token.find('.');
    size_t d2 = token.rfind('.');
    std::string forged = token.substr(0, d1 + 1) + B64(json::serialize(c)) + token.substr(d2);
    EXPECT_EQ(CodeOf(forged), VerifyErrorCode::kBadSignature) << key->alg();
    // A flipped bit in the signature.
    std::string flipped = token;
    char& last = flipped[d2 + 5];
    last = last == 'A' ? 'B' : 'A';
    EXPECT_EQ(CodeOf(flipped), VerifyErrorCode::kBadSignature) << key->alg();
  }
}

TEST_F(VerifierTest, ASignatureOfAnotherKeyUnderAKnownKidFails) {
  EXPECT_EQ(CodeOf(SignJwt(*other_rsa_, AtHeader(*other_rsa_), Claims())),
            VerifyErrorCode::kBadSignature);
}

TEST_F(VerifierTest, AKidOfAnotherKeyTypeDoesNotFit) {
  // Header says RS256 but names the EC key: no RS256 key "ec-1" exists.
  json::object h = AtHeader(*rsa_);
  h["kid"] = "ec-1";
  EXPECT_EQ(CodeOf(SignJwt(*rsa_, h, Claims())), VerifyErrorCode::kUnknownKey);
}

TEST_F(VerifierTest, Es256HighSTwinIsRefused) {
  std::string token = SignJwt(*ec_, AtHeader(*ec_), Claims());
  ASSERT_TRUE(Verifier().Verify(token).ok());
  EXPECT_EQ(CodeOf(testing::HighSTwin(token)), VerifyErrorCode::kBadSignature);
}

TEST_F(VerifierTest, Rfc9068ClaimsAreRequired) {
  for (const char* claim : {"sub", "client_id", "jti", "exp", "iat"}) {
    json::object c = Claims();
    c.erase(claim);
    EXPECT_EQ(CodeOf(SignJwt(*ed_, AtHeader(*ed_), c)), VerifyErrorCode::kMissingClaim) << claim;
  }
  json::object c = Claims();
  c["exp"] = "tomorrow";
  EXPECT_EQ(CodeOf(SignJwt(*ed_, AtHeader(*ed_), c)), VerifyErrorCode::kMissingClaim);
  c = Claims();
  c["roles"] = "admin";  // must be an array
  EXPECT_EQ(CodeOf(SignJwt(*ed_, AtHeader(*ed_), c)), VerifyErrorCode::kMalformed);
}

TEST_F(VerifierTest, AllowedClientIds) {
  auto only_pocket = Verifier([](VerifierOptions& o) { o.allowed_client_ids = {"pocket", "pocket-cli"}; });
  EXPECT_TRUE(only_pocket.Verify(SignJwt(*ed_, AtHeader(*ed_), Claims())).ok());
  json::object c = Claims();
  c["client_id"] = "console";
  VerifyResult r = only_pocket.Verify(SignJwt(*ed_, AtHeader(*ed_), c));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, VerifyErrorCode::kClientNotAllowed);
}

TEST_F(VerifierTest, MalformedTokens) {
  std::string good = SignJwt(*ed_, AtHeader(*ed_), Claims());
  for (const std::string& bad :
       {std::string(), std::string("abc"), std::string("a.b"), good + ".x", std::string("..."),
        "!!!." + good.substr(good.find('.') + 1),
        good.substr(0, good.find('.')) + ".bm90IGpzb24." + good.substr(good.rfind('.') + 1),
        good + "=", std::string(20000, 'a')}) {
    EXPECT_EQ(CodeOf(bad), VerifyErrorCode::kMalformed) << bad.substr(0, 80);
  }
  json::object h = AtHeader(*ed_);
  h["crit"] = json::array{"exp"};
  EXPECT_EQ(CodeOf(SignJwt(*ed_, h, Claims())), VerifyErrorCode::kMalformed);
  h = AtHeader(*ed_);
  h.erase("kid");
  EXPECT_EQ(CodeOf(SignJwt(*ed_, h, Claims())), VerifyErrorCode::kUnknownKey);
}

TEST_F(VerifierTest, UnknownKidMakesTheCacheFetchAgain) {
  // Tessera rotated: the new key is in the JWKS now, the cache still holds the old set.
  ASSERT_TRUE(Verifier().Verify(SignJwt(*rsa_, AtHeader(*rsa_), Claims())).ok());
  ASSERT_EQ(server_.requests(), 1);
  TestKey rotated = TestKey::Ec("ec-2");
  server_.Serve(JwksOf({rsa_, ec_, ed_, &rotated}));
  // Within 30 s of the last fetch an unknown kid fetches nothing (jwks_cache_test has the
  // details); later it does, at once.
  EXPECT_EQ(CodeOf(SignJwt(rotated, AtHeader(rotated), Claims())), VerifyErrorCode::kUnknownKey);
  EXPECT_EQ(server_.requests(), 1);
  clock_.store(clock_.load() + std::chrono::seconds(31));
  VerifyResult r = Verifier().Verify(SignJwt(rotated, AtHeader(rotated), Claims()));
  ASSERT_TRUE(r.ok()) << r.error().reason;
  EXPECT_EQ(server_.requests(), 2);
}

TEST_F(VerifierTest, KeysUnavailableIsNotTheTokensFault) {
  server_.Serve("oops", 503);
  VerifyResult r = Verifier().Verify(SignJwt(*rsa_, AtHeader(*rsa_), Claims()));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, VerifyErrorCode::kKeysUnavailable);
  EXPECT_EQ(r.error().http_status(), 503);
  EXPECT_NE(r.error().reason.find("503"), std::string::npos) << r.error().reason;
}

TEST(VerifierOptionsTest, NeedsIssuerAndKeys) {
  auto keys = std::make_shared<StaticKeySet>(std::vector<std::shared_ptr<const PublicKey>>{});
  EXPECT_THROW(AccessTokenVerifier(VerifierOptions{}, keys), std::invalid_argument);
  VerifierOptions o;
  o.issuer = kIssuer;
  EXPECT_THROW(AccessTokenVerifier(o, nullptr), std::invalid_argument);
  AccessTokenVerifier v(o, keys);
  EXPECT_EQ(v.options().audience, kIssuer) << "Tessera's aud is the issuer";
}

TEST(StaticKeySetTest, VerifiesWithoutAnyFetch) {
  TestKey ed = TestKey::Ed25519("k");
  std::string error;
  auto keys = ParseJwks(JwksOf({&ed}), 10, &error);
  ASSERT_TRUE(keys) << error;
  VerifierOptions o;
  o.issuer = kIssuer;
  o.now = [] { return kNow; };
  AccessTokenVerifier v(o, std::make_shared<StaticKeySet>(*keys));
  json::object c{{"iss", kIssuer}, {"sub", "u"}, {"aud", kIssuer}, {"exp", kNow + 5},
                 {"iat", kNow},    {"jti", "j"}, {"client_id", "c"}};
  EXPECT_TRUE(v.Verify(SignJwt(ed, AtHeader(ed), c)).ok());
}

}  // namespace
}  // namespace tessera::resource_server
