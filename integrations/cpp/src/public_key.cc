#include "tessera/resource_server/public_key.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <boost/json.hpp>

#include "base64url.h"

namespace tessera::resource_server {
namespace json = boost::json;
using internal::Base64UrlDecode;

namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
struct BnFree {
  void operator()(BIGNUM* p) const { BN_free(p); }
};
struct ParamBldFree {
  void operator()(OSSL_PARAM_BLD* p) const { OSSL_PARAM_BLD_free(p); }
};
struct ParamFree {
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};
struct EcdsaSigFree {
  void operator()(ECDSA_SIG* p) const { ECDSA_SIG_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using Bn = std::unique_ptr<BIGNUM, BnFree>;

enum class Kind { kRsa, kEcP256, kEd25519 };

constexpr int kMinRsaBits = 2048;
constexpr int kMaxRsaBits = 16384;
// Half the order of P-256, rounded down: a low-s signature has s <= this.
constexpr unsigned char kP256HalfOrder[32] = {
    0x7F, 0xFF, 0xFF, 0xFF, 0x80, 0x00, 0x00, 0x00, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xDE, 0x73, 0x7D, 0x56, 0xD3, 0x8B, 0xCF, 0x42, 0x79, 0xDC, 0xE5, 0x61, 0x7E, 0x31, 0x92, 0xA8};

const json::string* StringMember(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_string()) return nullptr;
  return &it->value().get_string();
}

// A required base64url member, decoded.
std::optional<std::string> Bytes(const json::object& o, std::string_view key, std::string* error) {
  const json::string* s = StringMember(o, key);
  if (!s) {
    *error = "JWK lacks \"" + std::string(key) + "\"";
    return std::nullopt;
  }
  auto b = Base64UrlDecode(std::string_view(s->data(), s->size()));
  if (!b || b->empty()) {
    *error = "JWK \"" + std::string(key) + "\" is not base64url";
    return std::nullopt;
  }
  return b;
}

Pkey FromParams(const char* type, OSSL_PARAM_BLD* bld) {
  std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(bld));
  if (!params) return nullptr;
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return nullptr;
  }
  return Pkey(raw);
}

Pkey RsaKey(const json::object& jwk, std::string* error) {
  for (const char* priv : {"d", "p", "q", "dp", "dq", "qi", "oth"}) {
    if (jwk.contains(priv)) {
      *error = "JWK holds a private RSA key";
      return nullptr;
    }
  }
  auto n = Bytes(jwk, "n", error);
  if (!n) return nullptr;
  auto e = Bytes(jwk, "e", error);
  if (!e) return nullptr;
  if (e->size() > 8) {
    *error = "JWK \"e\" is too large";
    return nullptr;
  }
  Bn bn_n(BN_bin2bn(reinterpret_cast<const unsigned char*>(n->data()), static_cast<int>(n->size()), nullptr));
  Bn bn_e(BN_bin2bn(reinterpret_cast<const unsigned char*>(e->data()), static_cast<int>(e->size()), nullptr));
  if (!bn_n || !bn_e) {
    *error = "out of memory";
    return nullptr;
  }
  int bits = BN_num_bits(bn_n.get());
  if (bits < kMinRsaBits || bits > kMaxRsaBits) {
    *error = "RSA key of " + std::to_string(bits) + " bits (2048 to 16384 accepted)";
    return nullptr;
  }
  if (!BN_is_odd(bn_e.get()) || BN_is_one(bn_e.get())) {
    *error = "RSA exponent is not valid";
    return nullptr;
  }
  std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> bld(OSSL_PARAM_BLD_new());
  if (!bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) != 1) {
    *error = "out of memory";
    return nullptr;
  }
  Pkey key = FromParams("RSA", bld.get());
  if (!key) *error = "OpenSSL refused the RSA key";
  return key;
}

Pkey EcKey(const json::object& jwk, std::string* error) {
  const json::string* crv = StringMember(jwk, "crv");
  if (!crv || *crv != "P-256") {
    *error = "EC key is not on P-256";
    return nullptr;
  }
  if (jwk.contains("d")) {
    *error = "JWK holds a private EC key";
    return nullptr;
  }
  auto x = Bytes(jwk, "x", error);
  if (!x) return nullptr;
  auto y = Bytes(jwk, "y", error);
  if (!y) return nullptr;
  if (x->size() != 32 || y->size() != 32) {
    *error = "P-256 coordinates must be 32 bytes";
    return nullptr;
  }
  std::string point = "\x04" + *x + *y;
  std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> bld(OSSL_PARAM_BLD_new());
  if (!bld ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    *error = "out of memory";
    return nullptr;
  }
  Pkey key = FromParams("EC", bld.get());
  if (!key) {
    *error = "OpenSSL refused the EC key";
    return nullptr;
  }
  // The point must be on the curve (and not the point at infinity).
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) {
    *error = "EC point is not on P-256";
    return nullptr;
  }
  return key;
}

Pkey OkpKey(const json::object& jwk, std::string* error) {
  const json::string* crv = StringMember(jwk, "crv");
  if (!crv || *crv != "Ed25519") {
    *error = "OKP key is not Ed25519";
    return nullptr;
  }
  if (jwk.contains("d")) {
    *error = "JWK holds a private OKP key";
    return nullptr;
  }
  auto x = Bytes(jwk, "x", error);
  if (!x) return nullptr;
  if (x->size() != 32) {
    *error = "Ed25519 key must be 32 bytes";
    return nullptr;
  }
  Pkey key(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                       reinterpret_cast<const unsigned char*>(x->data()), x->size()));
  if (!key) *error = "OpenSSL refused the Ed25519 key";
  return key;
}

bool VerifyDigest(EVP_PKEY* key, const char* digest, std::string_view input, std::string_view sig) {
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  if (!ctx) return false;
  if (EVP_DigestVerifyInit_ex(ctx.get(), nullptr, digest, nullptr, nullptr, key, nullptr) != 1) {
    return false;
  }
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                          reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
}

}  // namespace

struct PublicKey::Impl {
  Kind kind;
  Pkey key;
};

std::optional<Algorithm> ParseAlgorithm(std::string_view name) {
  if (name == "RS256") return Algorithm::kRS256;
  if (name == "ES256") return Algorithm::kES256;
  if (name == "EdDSA") return Algorithm::kEdDSA;
  return std::nullopt;
}

std::string_view AlgorithmName(Algorithm alg) {
  switch (alg) {
    case Algorithm::kRS256: return "RS256";
    case Algorithm::kES256: return "ES256";
    case Algorithm::kEdDSA: return "EdDSA";
  }
  return "?";
}

PublicKey::PublicKey(std::unique_ptr<Impl> impl, std::string kid, std::optional<Algorithm> alg)
    : impl_(std::move(impl)), kid_(std::move(kid)), published_alg_(alg) {}

PublicKey::~PublicKey() = default;

std::shared_ptr<const PublicKey> PublicKey::FromJwk(const json::object& jwk, std::string* error) {
  std::string ignored;
  if (!error) error = &ignored;
  std::string kid;
  if (auto it = jwk.find("kid"); it != jwk.end()) {
    if (!it->value().is_string()) {
      *error = "JWK \"kid\" is not a string";
      return nullptr;
    }
    kid = std::string(it->value().get_string());
  }
  if (auto it = jwk.find("use"); it != jwk.end() && !(it->value().is_string() && it->value().get_string() == "sig")) {
    *error = "JWK " + kid + " is not for signatures";
    return nullptr;
  }
  if (auto it = jwk.find("key_ops"); it != jwk.end()) {
    bool verify = false;
    if (it->value().is_array()) {
      for (const auto& op : it->value().get_array()) verify |= op.is_string() && op.get_string() == "verify";
    }
    if (!verify) {
      *error = "JWK " + kid + " key_ops lacks verify";
      return nullptr;
    }
  }
  std::optional<Algorithm> alg;
  if (auto it = jwk.find("alg"); it != jwk.end()) {
    if (!it->value().is_string()) {
      *error = "JWK " + kid + " \"alg\" is not a string";
      return nullptr;
    }
    alg = ParseAlgorithm(std::string_view(it->value().get_string()));
    if (!alg) {
      *error = "JWK " + kid + " is for " + std::string(it->value().get_string()) + ", which is not accepted";
      return nullptr;
    }
  }
  const json::string* kty = StringMember(jwk, "kty");
  if (!kty) {
    *error = "JWK " + kid + " lacks kty";
    return nullptr;
  }
  auto impl = std::make_unique<Impl>();
  std::string why;
  if (*kty == "RSA") {
    impl->kind = Kind::kRsa;
    impl->key = RsaKey(jwk, &why);
  } else if (*kty == "EC") {
    impl->kind = Kind::kEcP256;
    impl->key = EcKey(jwk, &why);
  } else if (*kty == "OKP") {
    impl->kind = Kind::kEd25519;
    impl->key = OkpKey(jwk, &why);
  } else {
    why = "unsupported kty " + std::string(*kty);
  }
  if (!impl->key) {
    *error = "JWK " + kid + ": " + why;
    return nullptr;
  }
  auto key = std::shared_ptr<const PublicKey>(new PublicKey(std::move(impl), std::move(kid), alg));
  if (alg && !key->Fits(*alg)) {
    *error = "JWK " + key->kid() + ": kty does not fit alg " + std::string(AlgorithmName(*alg));
    return nullptr;
  }
  return key;
}

bool PublicKey::Fits(Algorithm alg) const {
  if (published_alg_ && *published_alg_ != alg) return false;
  switch (alg) {
    case Algorithm::kRS256: return impl_->kind == Kind::kRsa;
    case Algorithm::kES256: return impl_->kind == Kind::kEcP256;
    case Algorithm::kEdDSA: return impl_->kind == Kind::kEd25519;
  }
  return false;
}

bool PublicKey::Verify(Algorithm alg, std::string_view input, std::string_view sig,
                       bool low_s_only) const {
  if (!Fits(alg)) return false;
  switch (alg) {
    case Algorithm::kRS256:
      return VerifyDigest(impl_->key.get(), "SHA256", input, sig);
    case Algorithm::kEdDSA:
      return sig.size() == 64 && VerifyDigest(impl_->key.get(), nullptr, input, sig);
    case Algorithm::kES256: {
      // JWS carries r‖s (32 bytes each, RFC 7518 §3.4); OpenSSL wants DER.
      if (sig.size() != 64) return false;
      const auto* p = reinterpret_cast<const unsigned char*>(sig.data());
      Bn r(BN_bin2bn(p, 32, nullptr));
      Bn s(BN_bin2bn(p + 32, 32, nullptr));
      Bn half(BN_bin2bn(kP256HalfOrder, 32, nullptr));
      if (!r || !s || !half) return false;
      if (low_s_only && BN_cmp(s.get(), half.get()) > 0) return false;
      std::unique_ptr<ECDSA_SIG, EcdsaSigFree> es(ECDSA_SIG_new());
      if (!es || ECDSA_SIG_set0(es.get(), r.get(), s.get()) != 1) return false;
      (void)r.release();  // owned by es now
      (void)s.release();
      unsigned char* der = nullptr;
      int len = i2d_ECDSA_SIG(es.get(), &der);
      if (len <= 0) return false;
      std::string der_sig(reinterpret_cast<char*>(der), static_cast<size_t>(len));
      OPENSSL_free(der);
      return VerifyDigest(impl_->key.get(), "SHA256", input, der_sig);
    }
  }
  return false;
}

std::optional<std::vector<std::shared_ptr<const PublicKey>>> ParseJwks(
    std::string_view text, std::size_t max_keys, std::string* error, std::vector<std::string>* skipped) {
  std::string ignored;
  if (!error) error = &ignored;
  boost::system::error_code ec;
  json::value doc = json::parse(text, ec);
  if (ec || !doc.is_object()) {
    *error = "the JWKS is not a JSON object";
    return std::nullopt;
  }
  auto it = doc.get_object().find("keys");
  if (it == doc.get_object().end() || !it->value().is_array()) {
    *error = "the JWKS has no \"keys\" array";
    return std::nullopt;
  }
  const json::array& keys = it->value().get_array();
  if (keys.size() > max_keys) {
    *error = "the JWKS has " + std::to_string(keys.size()) + " keys (at most " +
             std::to_string(max_keys) + " accepted)";
    return std::nullopt;
  }
  std::vector<std::shared_ptr<const PublicKey>> out;
  for (const json::value& k : keys) {
    std::string why;
    std::shared_ptr<const PublicKey> key =
        k.is_object() ? PublicKey::FromJwk(k.get_object(), &why) : nullptr;
    if (!k.is_object()) why = "a key is not a JSON object";
    if (key) {
      out.push_back(std::move(key));
    } else if (skipped) {
      skipped->push_back(why);
    }
  }
  return out;
}

}  // namespace tessera::resource_server
