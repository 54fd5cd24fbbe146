#include "crypto/signing_key.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <atomic>
#include <vector>

#include "crypto/digest.h"
#include "crypto/encoding.h"

namespace tessera::crypto {
namespace {

using MdCtx = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;
using Bio = std::unique_ptr<BIO, decltype(&BIO_free)>;

constexpr size_t kEs256Half = 32;

int PkeyType(JwsAlg alg) {
  switch (alg) {
    case JwsAlg::kES256: return EVP_PKEY_EC;
    case JwsAlg::kEdDSA: return EVP_PKEY_ED25519;
    case JwsAlg::kRS256: return EVP_PKEY_RSA;
  }
  return 0;
}

const EVP_MD* Digest(JwsAlg alg) { return alg == JwsAlg::kEdDSA ? nullptr : EVP_sha256(); }

std::string BnParam(const EVP_PKEY* pkey, const char* name, int pad = 0) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, name, &bn) != 1) return {};
  int len = pad > 0 ? pad : BN_num_bytes(bn);
  std::string out(len, '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), len);
  BN_free(bn);
  return out;
}

using Bn = std::unique_ptr<BIGNUM, decltype(&BN_free)>;

// The order n of P-256 (SEC 2 §2.4.2, secp256r1) and n/2, made once: BN_cmp and BN_sub only
// read them, so every thread may share them.
const BIGNUM* P256Order() {
  static const BIGNUM* n = [] {
    BIGNUM* v = nullptr;
    BN_hex2bn(&v, "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551");
    return v;
  }();
  return n;
}
const BIGNUM* P256HalfOrder() {
  static const BIGNUM* half = [] {
    BIGNUM* v = BN_new();
    if (v && P256Order() && BN_rshift1(v, P256Order()) != 1) {
      BN_free(v);
      v = nullptr;
    }
    return v;
  }();
  return half;
}

// ECDSA is malleable: (r, s) and (r, n−s) both verify. Tessera signs only low-s signatures
// (s ≤ n/2) and accepts only those, so each token has one valid signature and a token's bytes
// identify it (caches and revocation lists keyed on them cannot be dodged).
bool IsLowS(const BIGNUM* s) {
  const BIGNUM* half = P256HalfOrder();
  return half && !BN_is_zero(s) && BN_cmp(s, half) <= 0;
}

// ECDSA signatures: OpenSSL speaks DER, JWS speaks fixed-width R||S (RFC 7518 §3.4); the
// result is normalised to low-s.
std::string DerToRaw(std::string_view der) {
  auto* p = reinterpret_cast<const unsigned char*>(der.data());
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
  if (!sig) return {};
  std::string out(2 * kEs256Half, '\0');
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  BN_bn2binpad(ECDSA_SIG_get0_r(sig), o, kEs256Half);
  const BIGNUM* s = ECDSA_SIG_get0_s(sig);
  Bn low_s(nullptr, BN_free);
  if (!IsLowS(s)) {
    low_s.reset(BN_new());
    if (!P256Order() || !low_s || BN_sub(low_s.get(), P256Order(), s) != 1) {
      ECDSA_SIG_free(sig);
      return {};
    }
    s = low_s.get();
  }
  BN_bn2binpad(s, o + kEs256Half, kEs256Half);
  ECDSA_SIG_free(sig);
  return out;
}

bool RawHasLowS(std::string_view raw) {
  if (raw.size() != 2 * kEs256Half) return false;
  Bn s(BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()) + kEs256Half, kEs256Half,
                 nullptr),
       BN_free);
  return s && IsLowS(s.get());
}

std::string RawToDer(std::string_view raw) {
  if (raw.size() != 2 * kEs256Half) return {};
  auto* r = reinterpret_cast<const unsigned char*>(raw.data());
  ECDSA_SIG* sig = ECDSA_SIG_new();
  ECDSA_SIG_set0(sig, BN_bin2bn(r, kEs256Half, nullptr),
                 BN_bin2bn(r + kEs256Half, kEs256Half, nullptr));
  unsigned char* der = nullptr;
  int len = i2d_ECDSA_SIG(sig, &der);
  std::string out = len > 0 ? std::string(reinterpret_cast<char*>(der), len) : std::string();
  OPENSSL_free(der);
  ECDSA_SIG_free(sig);
  return out;
}

// Signing contexts, one per thread and key. Setting a context up (EVP_DigestSignInit: the
// provider's algorithm fetched, its context made, the key attached) cost about as much as
// the ECDSA signature itself; a context set up once signs any number of digests. Keyed by the
// key's serial, never its address: a freed key's address can come back as another key.
class ThreadSigners {
 public:
  ~ThreadSigners() {
    for (auto& e : entries_) EVP_PKEY_CTX_free(e.ctx);
  }
  // A context ready for EVP_PKEY_sign of a SHA-256 digest with `pkey`; null on failure.
  EVP_PKEY_CTX* For(uint64_t serial, EVP_PKEY* pkey, JwsAlg alg) {
    for (auto& e : entries_) {
      if (e.serial == serial) return e.ctx;
    }
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr);
    if (!ctx || EVP_PKEY_sign_init(ctx) != 1 ||
        (alg == JwsAlg::kRS256 &&
         (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) != 1 ||
          EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) != 1))) {
      EVP_PKEY_CTX_free(ctx);
      return nullptr;
    }
    if (entries_.size() == kMaxKeys) {  // keys rotate rarely: start over rather than track use
      for (auto& e : entries_) EVP_PKEY_CTX_free(e.ctx);
      entries_.clear();
    }
    entries_.push_back({serial, ctx});
    return ctx;
  }

 private:
  static constexpr size_t kMaxKeys = 8;
  struct Entry {
    uint64_t serial;
    EVP_PKEY_CTX* ctx;
  };
  std::vector<Entry> entries_;
};

// A serial per key made, shared by its copies.
uint64_t NextKeySerial() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace

std::string_view JwsAlgName(JwsAlg alg) {
  switch (alg) {
    case JwsAlg::kES256: return "ES256";
    case JwsAlg::kEdDSA: return "EdDSA";
    case JwsAlg::kRS256: return "RS256";
  }
  return "";
}

std::optional<JwsAlg> ParseJwsAlg(std::string_view name) {
  if (name == "ES256") return JwsAlg::kES256;
  if (name == "EdDSA") return JwsAlg::kEdDSA;
  if (name == "RS256") return JwsAlg::kRS256;
  return std::nullopt;
}

SigningKey::SigningKey(JwsAlg alg, std::string kid, std::shared_ptr<EVP_PKEY> pkey,
                       bool has_private)
    : alg_(alg),
      kid_(std::move(kid)),
      has_private_(has_private),
      serial_(NextKeySerial()),
      pkey_(std::move(pkey)) {}

Result<SigningKey> SigningKey::Generate(JwsAlg alg, std::string kid) {
  EVP_PKEY* raw = nullptr;
  switch (alg) {
    case JwsAlg::kES256: raw = EVP_EC_gen("P-256"); break;
    case JwsAlg::kEdDSA: raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"); break;
    case JwsAlg::kRS256: raw = EVP_RSA_gen(2048); break;
  }
  if (!raw) return InternalError("key generation failed");
  return SigningKey(alg, std::move(kid), std::shared_ptr<EVP_PKEY>(raw, EVP_PKEY_free));
}

Result<SigningKey> SigningKey::FromPrivatePem(JwsAlg alg, std::string kid, std::string_view pem) {
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  EVP_PKEY* raw = bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  if (!raw) return InvalidArgumentError("not a PEM private key");
  std::shared_ptr<EVP_PKEY> pkey(raw, EVP_PKEY_free);
  if (EVP_PKEY_get_base_id(raw) != PkeyType(alg)) {
    return InvalidArgumentError("the key type does not match its algorithm");
  }
  return SigningKey(alg, std::move(kid), std::move(pkey));
}

std::string SigningKey::PrivatePem() const {
  if (!has_private_) return {};
  Bio bio(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_PrivateKey(bio.get(), pkey_.get(), nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, len);
}

boost::json::object SigningKey::PublicJwk() const {
  boost::json::object jwk;
  jwk["kid"] = kid_;
  jwk["use"] = "sig";
  jwk["alg"] = JwsAlgName(alg_);
  switch (alg_) {
    case JwsAlg::kES256:
      jwk["kty"] = "EC";
      jwk["crv"] = "P-256";
      jwk["x"] = Base64UrlEncode(BnParam(pkey_.get(), OSSL_PKEY_PARAM_EC_PUB_X, kEs256Half));
      jwk["y"] = Base64UrlEncode(BnParam(pkey_.get(), OSSL_PKEY_PARAM_EC_PUB_Y, kEs256Half));
      break;
    case JwsAlg::kEdDSA: {
      unsigned char pub[32];
      size_t len = sizeof pub;
      EVP_PKEY_get_raw_public_key(pkey_.get(), pub, &len);
      jwk["kty"] = "OKP";
      jwk["crv"] = "Ed25519";
      jwk["x"] = Base64UrlEncode(std::string_view(reinterpret_cast<char*>(pub), len));
      break;
    }
    case JwsAlg::kRS256:
      jwk["kty"] = "RSA";
      jwk["n"] = Base64UrlEncode(BnParam(pkey_.get(), OSSL_PKEY_PARAM_RSA_N));
      jwk["e"] = Base64UrlEncode(BnParam(pkey_.get(), OSSL_PKEY_PARAM_RSA_E));
      break;
  }
  return jwk;
}

Result<std::string> SigningKey::Sign(std::string_view input) const {
  if (!has_private_) return FailedPreconditionError("a verification-only key cannot sign");
  if (alg_ == JwsAlg::kEdDSA) return SignOneShot(input);  // pure EdDSA signs the message itself
  thread_local ThreadSigners signers;
  EVP_PKEY_CTX* ctx = signers.For(serial_, pkey_.get(), alg_);
  const std::string digest = Sha256(input);
  const auto* d = reinterpret_cast<const unsigned char*>(digest.data());
  size_t len = 0;
  if (!ctx || digest.size() != 32 || EVP_PKEY_sign(ctx, nullptr, &len, d, 32) != 1) {
    return InternalError("signing failed");
  }
  std::string sig(len, '\0');
  if (EVP_PKEY_sign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len, d, 32) != 1) {
    return InternalError("signing failed");
  }
  sig.resize(len);
  if (alg_ == JwsAlg::kES256) {
    sig = DerToRaw(sig);
    if (sig.empty()) return InternalError("signing failed");
  }
  return sig;
}

Result<std::string> SigningKey::SignOneShot(std::string_view input) const {
  MdCtx ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  size_t len = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, Digest(alg_), nullptr, pkey_.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len,
                     reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1) {
    return InternalError("signing failed");
  }
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                     reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1) {
    return InternalError("signing failed");
  }
  sig.resize(len);
  return sig;
}

bool SigningKey::Verify(std::string_view input, std::string_view signature) const {
  std::string der;
  if (alg_ == JwsAlg::kES256) {
    // Our own keys sign low-s only, so the (r, n−s) twin of one of our signatures is a forgery
    // attempt. Other signers (WebCrypto for DPoP proofs, an upstream provider's HSM) pick
    // either s, and RFC 7518 §3.4 takes both: a verification-only key does too.
    if (has_private_ && !RawHasLowS(signature)) return false;
    der = RawToDer(signature);
    if (der.empty()) return false;
    signature = der;
  }
  return VerifyDer(input, signature);
}

bool SigningKey::VerifyDer(std::string_view input, std::string_view signature) const {
  if (signature.empty() || signature.size() > 1024) return false;
  MdCtx ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  return ctx &&
         EVP_DigestVerifyInit(ctx.get(), nullptr, Digest(alg_), nullptr, pkey_.get()) == 1 &&
         EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(), reinterpret_cast<const unsigned char*>(input.data()),
                          input.size()) == 1;
}

}  // namespace tessera::crypto
