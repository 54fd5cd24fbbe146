// File: signing_key.h
// An asymmetric JWS key (RFC 7515/7518/8037) held as an OpenSSL EVP_PKEY: ES256 (P-256),
// EdDSA (Ed25519) or RS256 (RSA-2048+). The key's algorithm is fixed at creation; verification
// refuses any other, which is what rules out algorithm confusion.
#pragma once

#include <boost/json/object.hpp>
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

  const std::string& kid() const { return kid_; }
  JwsAlg alg() const { return alg_; }

  std::string PrivatePem() const;
  // The public half as a JWK with kid, alg and use=sig; never any private member.
  boost::json::object PublicJwk() const;

  // Signature in JWS form (for ES256 the raw 64-byte R||S, not DER).
  Result<std::string> Sign(std::string_view signing_input) const;
  bool Verify(std::string_view signing_input, std::string_view signature) const;

 private:
  SigningKey(JwsAlg alg, std::string kid, std::shared_ptr<EVP_PKEY> pkey);

  JwsAlg alg_;
  std::string kid_;
  std::shared_ptr<EVP_PKEY> pkey_;  // immutable once built; EVP_PKEY is safe to share for use
};

}  // namespace tessera::crypto
