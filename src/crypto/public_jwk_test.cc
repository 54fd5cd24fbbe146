#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <boost/json.hpp>
#include <map>

#include "crypto/encoding.h"
#include "crypto/jwt.h"
#include "crypto/signing_key.h"

namespace tessera::crypto {
namespace {
namespace json = boost::json;

constexpr int64_t kNow = 1'800'000'000;

json::object Claims() {
  return json::object{{"iss", "https://idp.example"}, {"aud", "client"}, {"sub", "u1"},
                      {"iat", kNow}, {"exp", kNow + 600}};
}

JwtVerifyOptions Options(JwsAlg alg) {
  JwtVerifyOptions o;
  o.allowed_algs = {alg};
  o.issuer = "https://idp.example";
  o.audience = "client";
  o.now_seconds = kNow;
  return o;
}

// One generated key per algorithm for the whole suite (RSA key generation takes a while).
json::object JwkOf(JwsAlg alg) {
  static std::map<JwsAlg, json::object> jwks;
  auto it = jwks.find(alg);
  if (it == jwks.end()) {
    it = jwks.emplace(alg, SigningKey::Generate(alg, "k1").value().PublicJwk()).first;
  }
  return it->second;
}

std::string RefusalOf(const json::object& jwk) {
  auto key = SigningKey::FromPublicJwk(jwk);
  EXPECT_FALSE(key.ok()) << json::serialize(jwk);
  if (key.ok()) return "accepted";
  EXPECT_EQ(key.status().code(), StatusCode::kInvalidArgument);
  return key.status().message();
}

class PublicJwkAlgTest : public testing::TestWithParam<JwsAlg> {};

// The JWK a generated key publishes comes back as a key that verifies what the private key
// signed, and only that; it cannot sign and has no PEM.
TEST_P(PublicJwkAlgTest, RoundTripVerifiesTheSignerAndCannotSign) {
  auto signer = SigningKey::Generate(GetParam(), "k1").value();
  auto key = SigningKey::FromPublicJwk(signer.PublicJwk());
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->kid(), "k1");
  EXPECT_EQ(key->alg(), GetParam());
  EXPECT_FALSE(key->has_private_key());
  EXPECT_TRUE(signer.has_private_key());
  EXPECT_EQ(key->PublicJwk(), signer.PublicJwk());

  std::string token = SignJwt(signer, "JWT", Claims()).value();
  auto lookup = [&](std::string_view kid) { return kid == "k1" ? &*key : nullptr; };
  auto claims = VerifyJwt(token, lookup, Options(GetParam()));
  ASSERT_TRUE(claims.ok()) << claims.status().ToString();
  EXPECT_EQ((*claims)["sub"].as_string(), "u1");

  auto stranger = SigningKey::Generate(GetParam(), "k1").value();
  EXPECT_FALSE(VerifyJwt(SignJwt(stranger, "JWT", Claims()).value(), lookup, Options(GetParam()))
                   .ok());

  auto sig = key->Sign("input");
  EXPECT_EQ(sig.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(key->PrivatePem(), "");
  EXPECT_EQ(SignJwt(*key, "JWT", Claims()).status().code(), StatusCode::kFailedPrecondition);
}

INSTANTIATE_TEST_SUITE_P(AllAlgorithms, PublicJwkAlgTest,
                         testing::Values(JwsAlg::kES256, JwsAlg::kEdDSA, JwsAlg::kRS256));

TEST(PublicJwk, MinimalMembersAndLargerRsaKeysAreAccepted) {
  json::object ec = JwkOf(JwsAlg::kES256);
  ec.erase("alg");
  ec.erase("use");
  ec.erase("kid");
  auto key = SigningKey::FromPublicJwk(ec);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->kid(), "");
  EXPECT_EQ(key->alg(), JwsAlg::kES256);

  json::object with_ops = JwkOf(JwsAlg::kEdDSA);
  with_ops.erase("use");
  with_ops["key_ops"] = json::array{"verify"};
  EXPECT_TRUE(SigningKey::FromPublicJwk(with_ops).ok());

  EVP_PKEY* rsa = EVP_RSA_gen(3072);
  ASSERT_NE(rsa, nullptr);
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, rsa, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  auto big = SigningKey::FromPrivatePem(JwsAlg::kRS256, "big", std::string_view(data, len));
  BIO_free(bio);
  EVP_PKEY_free(rsa);
  ASSERT_TRUE(big.ok());
  auto pub = SigningKey::FromPublicJwk(big->PublicJwk());
  ASSERT_TRUE(pub.ok()) << pub.status().ToString();
  std::string token = SignJwt(*big, "JWT", Claims()).value();
  EXPECT_TRUE(VerifyJwt(token, [&](std::string_view) { return &*pub; }, Options(JwsAlg::kRS256))
                  .ok());
}

// A modulus with the extra leading zero octet some libraries emit still reads as its key.
TEST(PublicJwk, RsaModulusWithOneLeadingZeroIsTolerated) {
  json::object jwk = JwkOf(JwsAlg::kRS256);
  std::string n = Base64UrlDecode(jwk["n"].as_string()).value();
  jwk["n"] = Base64UrlEncode(std::string(1, '\0') + n);
  EXPECT_TRUE(SigningKey::FromPublicJwk(jwk).ok());
  jwk["n"] = Base64UrlEncode(std::string(2, '\0') + n);
  EXPECT_TRUE(SigningKey::FromPublicJwk(jwk).ok()) << "still 2048 bits; length is bounded";
}

TEST(PublicJwk, RefusesPrivateMembers) {
  for (std::string_view member : {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}) {
    json::object jwk = JwkOf(JwsAlg::kRS256);
    jwk[member] = "AQAB";
    EXPECT_EQ(RefusalOf(jwk), "JWK refused: it holds private key material") << member;
  }
  json::object ec = JwkOf(JwsAlg::kES256);
  ec["d"] = ec["x"];
  EXPECT_EQ(RefusalOf(ec), "JWK refused: it holds private key material");
  json::object okp = JwkOf(JwsAlg::kEdDSA);
  okp["d"] = okp["x"];
  EXPECT_EQ(RefusalOf(okp), "JWK refused: it holds private key material");
}

TEST(PublicJwk, RefusesAnotherUseOrKeyOps) {
  json::object jwk = JwkOf(JwsAlg::kES256);
  jwk["use"] = "enc";
  EXPECT_EQ(RefusalOf(jwk), "JWK refused: use is not sig");
  jwk["use"] = "";  // present but empty says no purpose; only an absent use is left unsaid
  EXPECT_EQ(RefusalOf(jwk), "JWK refused: use is not sig");
  jwk["use"] = 1;
  EXPECT_EQ(RefusalOf(jwk), "JWK refused: use is not a string");
  jwk.erase("use");
  jwk["key_ops"] = json::array{"encrypt", "wrapKey"};
  EXPECT_EQ(RefusalOf(jwk), "JWK refused: key_ops does not allow verify");
  jwk["key_ops"] = "verify";
  EXPECT_EQ(RefusalOf(jwk), "JWK refused: key_ops is not an array");
}

TEST(PublicJwk, RefusesAnAlgOtherThanTheKeyTypes) {
  struct Case {
    JwsAlg key;
    std::string alg;
  };
  for (const Case& c : {Case{JwsAlg::kRS256, "ES256"}, Case{JwsAlg::kRS256, "RS384"},
                        Case{JwsAlg::kRS256, "PS256"}, Case{JwsAlg::kRS256, "HS256"},
                        Case{JwsAlg::kRS256, "none"}, Case{JwsAlg::kES256, "RS256"},
                        Case{JwsAlg::kES256, "ES384"}, Case{JwsAlg::kEdDSA, "ES256"},
                        Case{JwsAlg::kEdDSA, "Ed25519"}, Case{JwsAlg::kES256, ""}}) {
    json::object jwk = JwkOf(c.key);
    jwk["alg"] = c.alg;
    EXPECT_EQ(RefusalOf(jwk), "JWK refused: alg does not match the key type") << c.alg;
  }
}

TEST(PublicJwk, RefusesOtherKeyTypesAndCurves) {
  EXPECT_EQ(RefusalOf({{"kty", "oct"}, {"kid", "h"}}), "JWK refused: unsupported kty");
  EXPECT_EQ(RefusalOf({{"kid", "h"}}), "JWK refused: unsupported kty");
  EXPECT_EQ(RefusalOf({{"kty", 3}}), "JWK refused: kty is not a string");
  json::object ec = JwkOf(JwsAlg::kES256);
  ec.erase("alg");
  ec["crv"] = "P-384";
  EXPECT_EQ(RefusalOf(ec), "JWK refused: only the EC curve P-256 is supported");
  ec["crv"] = "secp256k1";
  EXPECT_EQ(RefusalOf(ec), "JWK refused: only the EC curve P-256 is supported");
  json::object okp = JwkOf(JwsAlg::kEdDSA);
  okp.erase("alg");
  okp["crv"] = "X25519";
  EXPECT_EQ(RefusalOf(okp), "JWK refused: only the OKP curve Ed25519 is supported");
  okp["crv"] = "Ed448";
  EXPECT_EQ(RefusalOf(okp), "JWK refused: only the OKP curve Ed25519 is supported");
}

TEST(PublicJwk, RefusesWrongLengthsAndEncodings) {
  json::object ec = JwkOf(JwsAlg::kES256);
  std::string x = Base64UrlDecode(ec["x"].as_string()).value();
  ec["x"] = Base64UrlEncode(x.substr(1));
  EXPECT_EQ(RefusalOf(ec), "JWK refused: x and y must be 32 bytes each");
  ec["x"] = Base64UrlEncode(std::string(1, '\0') + x);
  EXPECT_EQ(RefusalOf(ec), "JWK refused: x and y must be 32 bytes each");
  ec["x"] = Base64UrlEncode(x) + "=";
  EXPECT_EQ(RefusalOf(ec), "JWK refused: x is not base64url");
  ec.erase("x");
  EXPECT_EQ(RefusalOf(ec), "JWK refused: x is missing or not a string");

  json::object okp = JwkOf(JwsAlg::kEdDSA);
  okp["x"] = Base64UrlEncode(std::string(31, 'a'));
  EXPECT_EQ(RefusalOf(okp), "JWK refused: x must be 32 bytes");

  json::object rsa = JwkOf(JwsAlg::kRS256);
  std::string n = Base64UrlDecode(rsa["n"].as_string()).value();
  rsa["n"] = Base64Encode(n);  // standard base64: '+', '/' and padding
  EXPECT_EQ(RefusalOf(rsa), "JWK refused: n is not base64url");
  rsa["n"] = Base64UrlEncode(std::string(2000, '\xff'));
  EXPECT_EQ(RefusalOf(rsa), "JWK refused: n is too long");
  rsa = JwkOf(JwsAlg::kRS256);
  rsa["e"] = Base64UrlEncode(std::string(9, '\x01'));
  EXPECT_EQ(RefusalOf(rsa), "JWK refused: e is too long");
  rsa["kid"] = std::string(300, 'k');
  EXPECT_EQ(RefusalOf(rsa), "JWK refused: kid is too long");
  rsa["kid"] = 7;
  EXPECT_EQ(RefusalOf(rsa), "JWK refused: kid is not a string");
}

TEST(PublicJwk, RefusesWeakOrMalformedRsaKeys) {
  // A 1024-bit modulus (odd, top bit set: shaped like one).
  json::object jwk = JwkOf(JwsAlg::kRS256);
  std::string n = Base64UrlDecode(jwk["n"].as_string()).value();
  jwk["n"] = Base64UrlEncode(n.substr(0, 127) + n.substr(255));
  EXPECT_EQ(RefusalOf(jwk), "JWK refused: an RSA key needs at least 2048 bits");
  jwk = JwkOf(JwsAlg::kRS256);
  jwk["e"] = Base64UrlEncode(std::string("\x01\x00\x00", 3));  // even
  EXPECT_EQ(RefusalOf(jwk), "JWK refused: e is not a valid exponent");
  jwk["e"] = Base64UrlEncode(std::string("\x01", 1));
  EXPECT_EQ(RefusalOf(jwk), "JWK refused: e is not a valid exponent");
  jwk = JwkOf(JwsAlg::kRS256);
  n = Base64UrlDecode(jwk["n"].as_string()).value();
  n.back() = static_cast<char>(n.back() & 0xfe);  // an even modulus is no RSA modulus
  jwk["n"] = Base64UrlEncode(n);
  EXPECT_EQ(RefusalOf(jwk), "JWK refused: n is not a valid modulus");
}

// Found by fuzz/targets/jwk.cc: OpenSSL's RSA public check is probabilistic (Miller-Rabin with
// random bases), so this odd 2048-bit "modulus" with a mid-sized factor was accepted on one
// call and refused on the next. The answer must be the same every time.
TEST(PublicJwk, TheSameRsaJwkGetsTheSameAnswerEveryTime) {
  auto jwk = json::parse(
                 R"({"e":"AQABMF7V","kty":"RSA","use":"sig","n":"xPPJkrZgcvSwp9u3-S-jFlBXlNVmSX70peef78kwJs5jXepoPwJ5AimsVVOvkvtA4F7fAZQXzeiWPx-2hO7-mllUkSxTMANovyEQDtvfuWc4TEYvp3QD4K43EutpiNeM9_AqBemn2TdALIK2TXIjJVPfX0yBMF7Vb9Rthpg-pzMiw0xwx0FvnqRY1GQ6HSflRyVNPy_-ut9HJHbTGqJ3DfNMWZuPL3WhyziKESyKRT0puBkxTWFyzfbqD9VRXL0V6JtsKXWvxM_N2ri835tZzHn4Bgj0rAY-ln4TEYvp3QD8K43EutpiNeM9_AqBemn2TdALIK2TXIjJVPffhE4FK2TXIjJVPfX0yBMF7Vb9RthMpp-zgiw0xwx0FvnqRY1GQ6HSflb762f871cdb3bae0044c649622fc1396eda3e3"})")
                 .as_object();
  for (int i = 0; i < 200; ++i) {
    auto key = SigningKey::FromPublicJwk(jwk);
    ASSERT_TRUE(key.ok()) << "call " << i << ": " << key.status().ToString();
    ASSERT_TRUE(SigningKey::FromPublicJwk(key->PublicJwk()).ok()) << "call " << i;
  }
}

TEST(PublicJwk, RefusesPointsNotOnTheCurve) {
  json::object ec = JwkOf(JwsAlg::kES256);
  std::string y = Base64UrlDecode(ec["y"].as_string()).value();
  y.back() = static_cast<char>(y.back() ^ 1);
  ec["y"] = Base64UrlEncode(y);
  EXPECT_EQ(RefusalOf(ec), "JWK refused: not a valid public key");
  ec["x"] = Base64UrlEncode(std::string(32, '\0'));
  ec["y"] = Base64UrlEncode(std::string(32, '\0'));
  EXPECT_EQ(RefusalOf(ec), "JWK refused: not a valid public key");
  ec["x"] = Base64UrlEncode(std::string(32, '\xff'));  // past the field prime
  EXPECT_EQ(RefusalOf(ec), "JWK refused: not a valid public key");

  // Ed25519: the identity and another small-order point, and a non-canonical encoding.
  json::object okp = JwkOf(JwsAlg::kEdDSA);
  std::string identity(32, '\0');
  identity[0] = 1;
  for (const std::string& x : {identity, std::string(32, '\0'), std::string(32, '\xff')}) {
    okp["x"] = Base64UrlEncode(x);
    EXPECT_EQ(RefusalOf(okp), "JWK refused: x is not a valid Ed25519 point");
  }
}

}  // namespace
}  // namespace tessera::crypto
