// SigningKey::FromPublicJwk: a verification-only key from a public JWK, for the keys an
// upstream provider publishes (its JWKS). The JWK is untrusted input: every member is checked
// before OpenSSL builds the key, and OpenSSL checks the key itself once built.
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <sodium.h>

#include <array>

#include "crypto/encoding.h"
#include "crypto/random.h"
#include "crypto/signing_key.h"

namespace tessera::crypto {
namespace {
namespace json = boost::json;

using Bn = std::unique_ptr<BIGNUM, decltype(&BN_free)>;
using ParamBld = std::unique_ptr<OSSL_PARAM_BLD, decltype(&OSSL_PARAM_BLD_free)>;
using Params = std::unique_ptr<OSSL_PARAM, decltype(&OSSL_PARAM_free)>;
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)>;

constexpr size_t kMaxKidBytes = 256;
constexpr int kMinRsaBits = 2048;
// Larger keys only cost verification time; nobody signs ID tokens with them.
constexpr int kMaxRsaBits = 8192;
constexpr size_t kMaxRsaExponentBytes = 8;
constexpr size_t kCoordinateBytes = 32;  // P-256 x and y; an Ed25519 public key

Status Refuse(std::string why) { return InvalidArgumentError("JWK refused: " + why); }

// Members that hold private or symmetric key material (RFC 7518 §6.2.2, §6.3.2, §6.4;
// RFC 8037 §2). A public JWK never has one: a set that does was published by mistake, and
// a key that leaked is no key to trust.
constexpr std::array<std::string_view, 8> kPrivateMembers = {"d", "p", "q", "dp",
                                                             "dq", "qi", "oth", "k"};

// A member that must be a string when present; "" when absent; nullopt when of another type.
std::optional<std::string_view> OptionalString(const json::object& jwk, std::string_view name) {
  auto it = jwk.find(name);
  if (it == jwk.end()) return std::string_view();
  if (!it->value().is_string()) return std::nullopt;
  return std::string_view(it->value().as_string());
}

// A required base64url member, decoded; the caller checks the length.
Result<std::string> Bytes(const json::object& jwk, std::string_view name) {
  auto text = OptionalString(jwk, name);
  if (!text || text->empty()) return Refuse(std::string(name) + " is missing or not a string");
  auto bytes = Base64UrlDecode(*text);
  if (!bytes) return Refuse(std::string(name) + " is not base64url");
  return std::move(*bytes);
}

// A present `use` must say "sig": an empty one is no statement of purpose, and only an absent
// member leaves the purpose unsaid (RFC 7517 §4.2).
Status CheckUse(const json::object& jwk) {
  auto use = OptionalString(jwk, "use");
  if (!use) return Refuse("use is not a string");
  if (jwk.contains("use") && *use != "sig") return Refuse("use is not sig");
  auto ops = jwk.find("key_ops");
  if (ops == jwk.end()) return OkStatus();
  if (!ops->value().is_array()) return Refuse("key_ops is not an array");
  for (const auto& op : ops->value().as_array()) {
    if (op.is_string() && op.as_string() == "verify") return OkStatus();
  }
  return Refuse("key_ops does not allow verify");
}

// The JWK's `alg`, when present, must name the one algorithm the key type is used with here.
Status CheckAlg(const json::object& jwk, JwsAlg alg) {
  auto name = OptionalString(jwk, "alg");
  if (!name) return Refuse("alg is not a string");
  if (jwk.contains("alg") && *name != JwsAlgName(alg)) {
    return Refuse("alg does not match the key type");
  }
  return OkStatus();
}

// Whether OpenSSL checks the key once built (EVP_PKEY_public_check).
enum class Check { kOpenSsl, kDone };

// Builds the public key from OpenSSL parameters, then (kOpenSsl) has OpenSSL check it: for
// EC, a point on the curve and of the group's order.
Result<std::shared_ptr<EVP_PKEY>> FromData(const char* type, OSSL_PARAM_BLD* bld, Check check) {
  Params params(OSSL_PARAM_BLD_to_param(bld), OSSL_PARAM_free);
  PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr), EVP_PKEY_CTX_free);
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1 || !raw) {
    return Refuse("not a valid public key");
  }
  std::shared_ptr<EVP_PKEY> pkey(raw, EVP_PKEY_free);
  if (check == Check::kDone) return pkey;
  PkeyCtx checker(EVP_PKEY_CTX_new_from_pkey(nullptr, raw, nullptr), EVP_PKEY_CTX_free);
  if (!checker || EVP_PKEY_public_check(checker.get()) != 1) {
    return Refuse("not a valid public key");
  }
  return pkey;
}

Bn ToBn(std::string_view bytes) {
  return Bn(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                      static_cast<int>(bytes.size()), nullptr),
            BN_free);
}

Result<std::shared_ptr<EVP_PKEY>> RsaKey(const json::object& jwk) {
  TESSERA_ASSIGN_OR_RETURN(std::string n_bytes, Bytes(jwk, "n"));
  TESSERA_ASSIGN_OR_RETURN(std::string e_bytes, Bytes(jwk, "e"));
  // One leading zero octet is tolerated (RFC 7518 §6.3.1.1 notes libraries that add it).
  if (n_bytes.size() > kMaxRsaBits / 8 + 1) return Refuse("n is too long");
  if (e_bytes.size() > kMaxRsaExponentBytes) return Refuse("e is too long");
  Bn n = ToBn(n_bytes), e = ToBn(e_bytes);
  if (!n || !e) return InternalError("out of memory");
  int bits = BN_num_bits(n.get());
  if (bits < kMinRsaBits) return Refuse("an RSA key needs at least 2048 bits");
  if (bits > kMaxRsaBits) return Refuse("n is too long");
  // Checked here, deterministically. OpenSSL's RSA public check (SP 800-56B) is not: its
  // Miller-Rabin rounds use random bases, so a modulus with a mid-sized factor passed once and
  // failed the next time (found by fuzz/targets/jwk.cc) — one JWKS, two answers. What it adds
  // guards the key's owner, not us: a weak modulus makes only its owner's signatures forgeable.
  if (!BN_is_odd(n.get())) return Refuse("n is not a valid modulus");
  if (!BN_is_odd(e.get()) || BN_is_one(e.get()) || BN_cmp(e.get(), n.get()) >= 0) {
    return Refuse("e is not a valid exponent");
  }
  ParamBld bld(OSSL_PARAM_BLD_new(), OSSL_PARAM_BLD_free);
  if (!bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1) {
    return InternalError("out of memory");
  }
  return FromData("RSA", bld.get(), Check::kDone);
}

Result<std::shared_ptr<EVP_PKEY>> P256Key(const json::object& jwk) {
  auto crv = OptionalString(jwk, "crv");
  if (!crv || *crv != "P-256") return Refuse("only the EC curve P-256 is supported");
  TESSERA_ASSIGN_OR_RETURN(std::string x, Bytes(jwk, "x"));
  TESSERA_ASSIGN_OR_RETURN(std::string y, Bytes(jwk, "y"));
  // RFC 7518 §6.2.1.2: each coordinate is the full field size, leading zeros kept.
  if (x.size() != kCoordinateBytes || y.size() != kCoordinateBytes) {
    return Refuse("x and y must be 32 bytes each");
  }
  std::string point = "\x04" + x + y;  // SEC 1 §2.3.3: uncompressed point
  ParamBld bld(OSSL_PARAM_BLD_new(), OSSL_PARAM_BLD_free);
  if (!bld ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "P-256", 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    return InternalError("out of memory");
  }
  return FromData("EC", bld.get(), Check::kOpenSsl);
}

Result<std::shared_ptr<EVP_PKEY>> Ed25519Key(const json::object& jwk) {
  auto crv = OptionalString(jwk, "crv");
  if (!crv || *crv != "Ed25519") return Refuse("only the OKP curve Ed25519 is supported");
  TESSERA_ASSIGN_OR_RETURN(std::string x, Bytes(jwk, "x"));
  if (x.size() != kCoordinateBytes) return Refuse("x must be 32 bytes");
  // OpenSSL takes any 32 bytes as an Ed25519 public key; libsodium tells whether they encode
  // a canonical point of the main subgroup (no small-order keys, for which forgeries exist).
  EnsureSodium();
  if (crypto_core_ed25519_is_valid_point(reinterpret_cast<const unsigned char*>(x.data())) != 1) {
    return Refuse("x is not a valid Ed25519 point");
  }
  ParamBld bld(OSSL_PARAM_BLD_new(), OSSL_PARAM_BLD_free);
  if (!bld || OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, x.data(),
                                               x.size()) != 1) {
    return InternalError("out of memory");
  }
  return FromData("ED25519", bld.get(), Check::kOpenSsl);
}

}  // namespace

Result<SigningKey> SigningKey::FromPublicJwk(const json::object& jwk) {
  for (std::string_view member : kPrivateMembers) {
    if (jwk.contains(member)) return Refuse("it holds private key material");
  }
  auto kid = OptionalString(jwk, "kid");
  if (!kid) return Refuse("kid is not a string");
  if (kid->size() > kMaxKidBytes) return Refuse("kid is too long");
  TESSERA_RETURN_IF_ERROR(CheckUse(jwk));
  auto kty = OptionalString(jwk, "kty");
  if (!kty) return Refuse("kty is not a string");
  JwsAlg alg;
  Result<std::shared_ptr<EVP_PKEY>> pkey = Refuse("unsupported kty");
  if (*kty == "RSA") {
    alg = JwsAlg::kRS256;
    TESSERA_RETURN_IF_ERROR(CheckAlg(jwk, alg));
    pkey = RsaKey(jwk);
  } else if (*kty == "EC") {
    alg = JwsAlg::kES256;
    TESSERA_RETURN_IF_ERROR(CheckAlg(jwk, alg));
    pkey = P256Key(jwk);
  } else if (*kty == "OKP") {
    alg = JwsAlg::kEdDSA;
    TESSERA_RETURN_IF_ERROR(CheckAlg(jwk, alg));
    pkey = Ed25519Key(jwk);
  } else {
    return pkey.status();
  }
  if (!pkey.ok()) return pkey.status();
  return SigningKey(alg, std::string(*kid), std::move(*pkey), /*has_private=*/false);
}

}  // namespace tessera::crypto
