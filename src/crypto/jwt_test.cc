#include "crypto/jwt.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include <boost/json.hpp>
#include <openssl/bn.h>

#include "crypto/encoding.h"

namespace tessera::crypto {
namespace {
namespace json = boost::json;

constexpr int64_t kNow = 1'800'000'000;

json::object Claims(int64_t exp = kNow + 600) {
  return json::object{{"iss", "https://id.example/apps/a"}, {"aud", "https://id.example/apps/a"},
                      {"sub", "u1"}, {"iat", kNow}, {"exp", exp}};
}

JwtVerifyOptions Options(std::vector<JwsAlg> algs = {JwsAlg::kES256}) {
  JwtVerifyOptions o;
  o.allowed_algs = std::move(algs);
  o.typ = "at+jwt";
  o.issuer = "https://id.example/apps/a";
  o.audience = "https://id.example/apps/a";
  o.now_seconds = kNow;
  return o;
}

KeyLookup Only(const SigningKey& key) {
  return [&key](std::string_view kid) { return kid == key.kid() ? &key : nullptr; };
}

class JwtAlgTest : public testing::TestWithParam<JwsAlg> {};

TEST_P(JwtAlgTest, SignsAndVerifies) {
  auto key = SigningKey::Generate(GetParam(), "k1");
  ASSERT_TRUE(key.ok());
  auto token = SignJwt(*key, "at+jwt", Claims());
  ASSERT_TRUE(token.ok());
  auto claims = VerifyJwt(*token, Only(*key), Options({GetParam()}));
  ASSERT_TRUE(claims.ok()) << claims.status().ToString();
  EXPECT_EQ((*claims)["sub"].as_string(), "u1");
  // The PEM round trip yields the same key.
  auto again = SigningKey::FromPrivatePem(GetParam(), "k1", key->PrivatePem());
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(VerifyJwt(*token, Only(*again), Options({GetParam()})).ok());
  EXPECT_FALSE(key->PublicJwk().contains("d"));  // never a private member in a JWK
}

INSTANTIATE_TEST_SUITE_P(AllAlgorithms, JwtAlgTest,
                         testing::Values(JwsAlg::kES256, JwsAlg::kEdDSA, JwsAlg::kRS256));

// ECDSA malleability: for every valid (r, s), (r, n−s) verifies too under plain ECDSA. Tessera
// signs low-s only and refuses the high-s twin, so a token has exactly one valid form.
// The (r, n−s) twin of a raw 64-byte P-256 signature r||s.
std::string TwinOf(const std::string& sig) {
  BIGNUM* n = nullptr;
  BN_hex2bn(&n, "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551");
  BIGNUM* s = BN_bin2bn(reinterpret_cast<const unsigned char*>(sig.data()) + 32, 32, nullptr);
  BIGNUM* twin = BN_new();
  BN_sub(twin, n, s);
  std::string out = sig;
  BN_bn2binpad(twin, reinterpret_cast<unsigned char*>(out.data()) + 32, 32);
  BN_free(s);
  BN_free(twin);
  BN_free(n);
  return out;
}

TEST(Jwt, Es256RefusesTheHighSTwinOfAValidSignature) {
  auto key = SigningKey::Generate(JwsAlg::kES256, "k1");
  ASSERT_TRUE(key.ok());
  for (int i = 0; i < 16; ++i) {  // about half of raw OpenSSL signatures are high-s
    auto token = SignJwt(*key, "at+jwt", Claims());
    ASSERT_TRUE(token.ok());
    ASSERT_TRUE(VerifyJwt(*token, Only(*key), Options()).ok());
    size_t dot = token->rfind('.');
    auto sig = Base64UrlDecode(std::string_view(*token).substr(dot + 1));
    ASSERT_TRUE(sig && sig->size() == 64);
    std::string malleated = token->substr(0, dot + 1) + Base64UrlEncode(TwinOf(*sig));
    auto refused = VerifyJwt(malleated, Only(*key), Options());
    EXPECT_FALSE(refused.ok()) << "the (r, n-s) twin of signature " << i << " was accepted";
  }
}

// Someone else's key (FromPublicJwk: a DPoP client's WebCrypto key, an upstream provider's)
// signs with either s, and RFC 7518 §3.4 accepts both: about half of such signatures are
// high-s, and refusing them refused half of all DPoP proofs. The twin is accepted there.
TEST(Jwt, Es256OfAPublicJwkTakesEitherS) {
  auto key = SigningKey::Generate(JwsAlg::kES256, "k1");
  ASSERT_TRUE(key.ok());
  auto verifier = SigningKey::FromPublicJwk(key->PublicJwk());
  ASSERT_TRUE(verifier.ok());
  auto token = SignJwt(*key, "at+jwt", Claims());
  ASSERT_TRUE(token.ok());
  size_t dot = token->rfind('.');
  std::string input = token->substr(0, dot);
  auto sig = Base64UrlDecode(std::string_view(*token).substr(dot + 1));
  ASSERT_TRUE(sig && sig->size() == 64);
  std::string other = TwinOf(*sig);
  EXPECT_TRUE(verifier->Verify(input, *sig));
  EXPECT_TRUE(verifier->Verify(input, other));
  EXPECT_FALSE(key->Verify(input, other));  // …and a key of ours still refuses the twin
  other[10] ^= 1;
  EXPECT_FALSE(verifier->Verify(input, other));
}

// RFC 8037 §A.4: Ed25519 is deterministic, so the signature must match the RFC byte for byte.
TEST(Jwt, Rfc8037Ed25519Vector) {
  std::string d = Base64UrlDecode("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A").value();
  std::string der = std::string("\x30\x2e\x02\x01\x00\x30\x05\x06\x03\x2b\x65\x70\x04\x22\x04\x20",
                                16) + d;
  std::string pem = "-----BEGIN PRIVATE KEY-----\n" + Base64Encode(der) +
                    "\n-----END PRIVATE KEY-----\n";
  auto key = SigningKey::FromPrivatePem(JwsAlg::kEdDSA, "rfc", pem);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->PublicJwk()["x"].as_string(), "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo");
  auto sig = key->Sign("eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc");
  ASSERT_TRUE(sig.ok());
  EXPECT_EQ(Base64UrlEncode(*sig),
            "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg");
}

TEST(Jwt, RejectsAlgNone) {
  auto key = SigningKey::Generate(JwsAlg::kES256, "k1").value();
  std::string header = Base64UrlEncode(R"({"alg":"none","typ":"at+jwt","kid":"k1"})");
  std::string body = Base64UrlEncode(json::serialize(Claims()));
  for (std::string token : {header + "." + body + ".", header + "." + body}) {
    auto r = VerifyJwt(token, Only(key), Options());
    EXPECT_EQ(r.status().code(), StatusCode::kUnauthenticated) << token;
  }
}

TEST(Jwt, RejectsForgedPayload) {
  auto key = SigningKey::Generate(JwsAlg::kES256, "k1").value();
  std::string token = SignJwt(key, "at+jwt", Claims()).value();
  size_t d1 = token.find('.'), d2 = token.rfind('.');
  json::object forged = Claims();
  forged["sub"] = "admin";
  std::string tampered = token.substr(0, d1 + 1) + Base64UrlEncode(json::serialize(forged)) +
                         token.substr(d2);
  auto r = VerifyJwt(tampered, Only(key), Options());
  EXPECT_EQ(r.status().message(), "invalid token: bad signature");
}

TEST(Jwt, RejectsWrongKeyAndUnknownKid) {
  auto key = SigningKey::Generate(JwsAlg::kES256, "k1").value();
  auto other = SigningKey::Generate(JwsAlg::kES256, "k1").value();  // same kid, other key
  std::string token = SignJwt(other, "at+jwt", Claims()).value();
  EXPECT_EQ(VerifyJwt(token, Only(key), Options()).status().message(),
            "invalid token: bad signature");
  auto stranger = SigningKey::Generate(JwsAlg::kES256, "k9").value();
  EXPECT_EQ(VerifyJwt(SignJwt(stranger, "at+jwt", Claims()).value(), Only(key), Options())
                .status()
                .message(),
            "invalid token: unknown key");
}

// An RS256 token must not verify against an ES256 key of the same kid, nor pass when the
// verifier only allows ES256 (algorithm confusion, RFC 8725 §2.1).
TEST(Jwt, RejectsAlgorithmConfusion) {
  auto es = SigningKey::Generate(JwsAlg::kES256, "k1").value();
  auto rs = SigningKey::Generate(JwsAlg::kRS256, "k1").value();
  std::string token = SignJwt(rs, "at+jwt", Claims()).value();
  EXPECT_EQ(VerifyJwt(token, Only(es), Options({JwsAlg::kES256})).status().message(),
            "invalid token: algorithm not allowed");
  EXPECT_EQ(VerifyJwt(token, Only(es), Options({JwsAlg::kES256, JwsAlg::kRS256}))
                .status()
                .message(),
            "invalid token: unknown key");
}

TEST(Jwt, RejectsExpiredButHonoursLeeway) {
  auto key = SigningKey::Generate(JwsAlg::kES256, "k1").value();
  EXPECT_TRUE(VerifyJwt(SignJwt(key, "at+jwt", Claims(kNow - 10)).value(), Only(key), Options())
                  .ok());
  EXPECT_EQ(VerifyJwt(SignJwt(key, "at+jwt", Claims(kNow - 31)).value(), Only(key), Options())
                .status()
                .message(),
            "invalid token: expired");
}

// Found by fuzz/targets/jwt_claims.cc: a NumericDate beyond int64 (a double like 1e300, or a
// uint64) was converted with undefined behaviour, and the leeway added to or taken from an
// extreme int64 overflowed; dates now compare as the numbers they are.
TEST(Jwt, ExtremeNumericDatesCompareAsNumbers) {
  auto key = SigningKey::Generate(JwsAlg::kES256, "k1").value();
  auto verify = [&](const json::object& c) {
    return VerifyJwt(SignJwt(key, "at+jwt", c).value(), Only(key), Options());
  };
  json::object c = Claims();
  c["exp"] = 1e300;  // far future
  EXPECT_TRUE(verify(c).ok()) << verify(c).status().ToString();
  c["exp"] = UINT64_MAX;
  EXPECT_TRUE(verify(c).ok()) << verify(c).status().ToString();
  c["exp"] = INT64_MAX;
  EXPECT_TRUE(verify(c).ok()) << verify(c).status().ToString();
  c = Claims();
  c["iat"] = INT64_MIN;  // far past
  c["nbf"] = -1e300;
  EXPECT_TRUE(verify(c).ok()) << verify(c).status().ToString();
  c = Claims(INT64_MIN);
  EXPECT_EQ(verify(c).status().message(), "invalid token: expired");
  c["exp"] = -1e300;
  EXPECT_EQ(verify(c).status().message(), "invalid token: expired");
  c = Claims();
  c["nbf"] = 1e300;
  EXPECT_EQ(verify(c).status().message(), "invalid token: not yet valid");
  c = Claims();
  c["iat"] = INT64_MAX;
  EXPECT_EQ(verify(c).status().message(), "invalid token: issued in the future");
}

TEST(Jwt, RejectsWrongIssuerAudienceAndTyp) {
  auto key = SigningKey::Generate(JwsAlg::kES256, "k1").value();
  json::object c = Claims();
  c["iss"] = "https://id.example/apps/b";
  EXPECT_EQ(VerifyJwt(SignJwt(key, "at+jwt", c).value(), Only(key), Options()).status().message(),
            "invalid token: wrong issuer");
  c = Claims();
  c["aud"] = json::array{"other"};
  EXPECT_EQ(VerifyJwt(SignJwt(key, "at+jwt", c).value(), Only(key), Options()).status().message(),
            "invalid token: wrong audience");
  EXPECT_EQ(
      VerifyJwt(SignJwt(key, "JWT", Claims()).value(), Only(key), Options()).status().message(),
      "invalid token: wrong typ");
  EXPECT_TRUE(VerifyJwt(SignJwt(key, "application/at+jwt", Claims()).value(), Only(key),
                        Options())
                  .ok());
}

TEST(Jwt, RejectsGarbage) {
  auto key = SigningKey::Generate(JwsAlg::kES256, "k1").value();
  for (std::string bad : std::vector<std::string>{"", ".", "..", "a.b.c", "a.b.c.d", "eyJ.eyJ.sig",
                          std::string(kMaxJwtSize + 1, 'a')}) {
    EXPECT_EQ(VerifyJwt(bad, Only(key), Options()).status().code(), StatusCode::kUnauthenticated)
        << bad.substr(0, 20);
  }
}

}  // namespace
}  // namespace tessera::crypto

namespace tessera::crypto {
namespace {

// Signing contexts are kept per thread and key (signing_key.cc): many keys on many threads,
// more keys than a thread keeps contexts for, and keys dropped while others are made (a new
// key can land at a freed key's address). Each signature must verify with its own key only.
TEST(SigningKeyContexts, EachKeySignsAsItselfOnEveryThread) {
  for (JwsAlg alg : {JwsAlg::kES256, JwsAlg::kRS256, JwsAlg::kEdDSA}) {
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int t = 0; t < 3; ++t) {
      threads.emplace_back([&, t] {
        std::vector<SigningKey> keys;
        for (int round = 0; round < 2; ++round) {
          keys.clear();  // the previous round's keys are freed here
          for (int k = 0; k < 9; ++k) {  // one more than a thread keeps
            auto key = SigningKey::Generate(alg, "k" + std::to_string(t * 100 + round * 10 + k));
            if (!key.ok()) { ++failures; return; }
            keys.push_back(*key);
          }
          for (int pass = 0; pass < 2; ++pass) {
            for (size_t k = 0; k < keys.size(); ++k) {
              std::string input = "payload " + std::to_string(k) + " " + std::to_string(pass);
              auto sig = keys[k].Sign(input);
              if (!sig.ok() || !keys[k].Verify(input, *sig) ||
                  keys[(k + 1) % keys.size()].Verify(input, *sig)) {
                ++failures;
              }
            }
          }
        }
      });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(failures.load(), 0) << JwsAlgName(alg);
  }
}

}  // namespace
}  // namespace tessera::crypto
