// File: signing_key.h
// An asymmetric JWS key (RFC 7515/7518/8037) held as an OpenSSL EVP_PKEY: ES256 (P-256),
// EdDSA (Ed25519) or RS256 (RSA-2048+). The key's algorithm is fixed at creation; verification
// refuses any other, which is what rules out algorithm confusion.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace tessera::crypto {

enum class JwsAlg { kES256, kEdDSA, kRS256 };

std::string_view JwsAlgName(JwsAlg alg);
std::optional<JwsAlg> ParseJwsAlg(std::string_view name);  // exact, case-sensitive

class SigningKey {
 public:
  static Result<SigningKey> Generate(JwsAlg alg, std::string kid);
  static Result<SigningKey> FromPrivatePem(JwsAlg alg, std::string kid, std::string_view pem);
  // A verification-only key from a public JWK (RFC 7517/7518/8037), e.g. one of an upstream
  // provider's JWKS: RSA (n, e; 2048 to 8192 bits) → RS256, EC P-256 (x, y) → ES256, OKP
  // Ed25519 (x) → EdDSA; its kid is the JWK's `kid` ("" when absent). Built through OpenSSL's
  // EVP_PKEY_fromdata and checked there (an EC point must lie on the curve). Refused with
  // kInvalidArgument, saying why: any private member (d, p, q, dp, dq, qi, oth, k), a `use`
  // other than "sig", `key_ops` without "verify", an `alg` other than the key type's one,
  // other key types or curves, non-canonical base64url, wrong lengths, weak or malformed
  // keys. Such a key verifies; Sign fails and PrivatePem is empty.
  static Result<SigningKey> FromPublicJwk(const boost::json::object& jwk);

  const std::string& kid() const { return kid_; }
  JwsAlg alg() const { return alg_; }

  // Whether the key can sign (Generate, FromPrivatePem) or only verify (FromPublicJwk).
  bool has_private_key() const { return has_private_; }

  // "" for a verification-only key.
  std::string PrivatePem() const;
  // The public half as a JWK with kid, alg and use=sig; never any private member.
  boost::json::object PublicJwk() const;

  // Signature in JWS form (for ES256 the raw 64-byte R||S, not DER); kFailedPrecondition for
  // a verification-only key.
  Result<std::string> Sign(std::string_view signing_input) const;
  // ES256: a key of ours (has_private_key) takes only the low-s form it signs; a
  // verification-only key (someone else's) takes either.
  bool Verify(std::string_view signing_input, std::string_view signature) const;
  // As WebAuthn (and X.509) carry signatures: ES256 in ASN.1 DER, with either S (an
  // authenticator's signature is never an identifier, so its malleability is harmless);
  // RS256 and EdDSA as Verify.
  bool VerifyDer(std::string_view signing_input, std::string_view signature) const;

 private:
  SigningKey(JwsAlg alg, std::string kid, std::shared_ptr<EVP_PKEY> pkey, bool has_private = true);
  Result<std::string> SignOneShot(std::string_view signing_input) const;  // EdDSA

  JwsAlg alg_;
  std::string kid_;
  bool has_private_ = true;
  uint64_t serial_;  // tells this key's per-thread signing contexts apart (signing_key.cc)
  std::shared_ptr<EVP_PKEY> pkey_;  // immutable once built; EVP_PKEY is safe to share for use
};

}  // namespace tessera::crypto
