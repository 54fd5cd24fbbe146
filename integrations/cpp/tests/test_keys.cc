#include "test_keys.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include <stdexcept>

#include "base64url.h"

namespace tessera::resource_server::testing {
namespace json = boost::json;

namespace {

void Check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("OpenSSL: ") + what);
}

std::shared_ptr<EVP_PKEY> Own(EVP_PKEY* k) {
  Check(k != nullptr, "keygen");
  return std::shared_ptr<EVP_PKEY>(k, EVP_PKEY_free);
}

std::string BnParam(EVP_PKEY* k, const char* name, int pad) {
  BIGNUM* bn = nullptr;
  Check(EVP_PKEY_get_bn_param(k, name, &bn) == 1, name);
  int len = pad ? pad : BN_num_bytes(bn);
  std::string out(static_cast<size_t>(len), '\0');
  Check(BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), len) == len, "bn2bin");
  BN_free(bn);
  return out;
}

// The order n of P-256.
BIGNUM* P256Order() {
  BIGNUM* n = nullptr;
  BN_hex2bn(&n, "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551");
  return n;
}

std::string DigestSign(EVP_PKEY* key, const char* md, std::string_view input) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  Check(EVP_DigestSignInit_ex(ctx, nullptr, md, nullptr, nullptr, key, nullptr) == 1, "sign init");
  size_t len = 0;
  const auto* in = reinterpret_cast<const unsigned char*>(input.data());
  Check(EVP_DigestSign(ctx, nullptr, &len, in, input.size()) == 1, "sign size");
  std::string sig(len, '\0');
  Check(EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len, in, input.size()) == 1, "sign");
  sig.resize(len);
  EVP_MD_CTX_free(ctx);
  return sig;
}

}  // namespace

std::string B64(std::string_view raw) { return internal::Base64UrlEncode(raw); }

TestKey TestKey::Rsa(std::string kid, int bits) {
  return TestKey(std::move(kid), "RS256",
                 Own(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(bits))));
}
TestKey TestKey::Ec(std::string kid) {
  return TestKey(std::move(kid), "ES256", Own(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")));
}
TestKey TestKey::Ed25519(std::string kid) {
  return TestKey(std::move(kid), "EdDSA", Own(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")));
}

json::object TestKey::Jwk(bool with_alg) const {
  json::object j{{"kid", kid_}, {"use", "sig"}};
  if (with_alg) j["alg"] = alg_;
  EVP_PKEY* k = key_.get();
  if (alg_ == "RS256") {
    j["kty"] = "RSA";
    j["n"] = B64(BnParam(k, OSSL_PKEY_PARAM_RSA_N, 0));
    j["e"] = B64(BnParam(k, OSSL_PKEY_PARAM_RSA_E, 0));
  } else if (alg_ == "ES256") {
    j["kty"] = "EC";
    j["crv"] = "P-256";
    j["x"] = B64(BnParam(k, OSSL_PKEY_PARAM_EC_PUB_X, 32));
    j["y"] = B64(BnParam(k, OSSL_PKEY_PARAM_EC_PUB_Y, 32));
  } else {
    unsigned char raw[32];
    size_t len = sizeof raw;
    Check(EVP_PKEY_get_raw_public_key(k, raw, &len) == 1, "raw public key");
    j["kty"] = "OKP";
    j["crv"] = "Ed25519";
    j["x"] = B64(std::string_view(reinterpret_cast<char*>(raw), len));
  }
  return j;
}

std::string TestKey::SignRaw(std::string_view input) const {
  if (alg_ == "RS256") return DigestSign(key_.get(), "SHA256", input);
  if (alg_ == "EdDSA") return DigestSign(key_.get(), nullptr, input);
  std::string der = DigestSign(key_.get(), "SHA256", input);
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
  Check(sig != nullptr, "d2i_ECDSA_SIG");
  const BIGNUM* r = ECDSA_SIG_get0_r(sig);
  BIGNUM* s = BN_dup(ECDSA_SIG_get0_s(sig));
  BIGNUM* n = P256Order();
  BIGNUM* half = BN_dup(n);
  BN_rshift1(half, half);
  if (BN_cmp(s, half) > 0) BN_sub(s, n, s);  // low-s, as Tessera signs
  std::string out(64, '\0');
  BN_bn2binpad(r, reinterpret_cast<unsigned char*>(out.data()), 32);
  BN_bn2binpad(s, reinterpret_cast<unsigned char*>(out.data()) + 32, 32);
  BN_free(s);
  BN_free(n);
  BN_free(half);
  ECDSA_SIG_free(sig);
  return out;
}

std::string TestKey::PublicPem() const {
  BIO* bio = BIO_new(BIO_s_mem());
  Check(PEM_write_bio_PUBKEY(bio, key_.get()) == 1, "PEM");
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(len));
  BIO_free(bio);
  return out;
}

std::string SignJwt(const TestKey& key, const json::object& header, const json::object& claims) {
  std::string input = B64(json::serialize(header)) + "." + B64(json::serialize(claims));
  return input + "." + B64(key.SignRaw(input));
}

json::object AtHeader(const TestKey& key) {
  return {{"alg", key.alg()}, {"typ", "at+jwt"}, {"kid", key.kid()}};
}

std::string HmacJwt(const json::object& header, const json::object& claims, std::string_view secret) {
  std::string input = B64(json::serialize(header)) + "." + B64(json::serialize(claims));
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &len);
  return input + "." + B64(std::string_view(reinterpret_cast<char*>(mac), len));
}

std::string JwksOf(const std::vector<const TestKey*>& keys) {
  json::array arr;
  for (const TestKey* k : keys) arr.emplace_back(k->Jwk());
  return json::serialize(json::object{{"keys", arr}});
}

std::string HighSTwin(const std::string& jwt) {
  size_t dot = jwt.rfind('.');
  auto sig = internal::Base64UrlDecode(std::string_view(jwt).substr(dot + 1));
  Check(sig && sig->size() == 64, "ES256 signature");
  BIGNUM* s = BN_bin2bn(reinterpret_cast<const unsigned char*>(sig->data()) + 32, 32, nullptr);
  BIGNUM* n = P256Order();
  BN_sub(s, n, s);
  BN_bn2binpad(s, reinterpret_cast<unsigned char*>(sig->data()) + 32, 32);
  BN_free(s);
  BN_free(n);
  return jwt.substr(0, dot + 1) + B64(*sig);
}

}  // namespace tessera::resource_server::testing
