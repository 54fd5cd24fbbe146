// File: public_key.h
// Signature algorithms and public keys, as a Tessera JWKS publishes them.
//
// Only the asymmetric algorithms Tessera signs with exist here: RS256 (RSA PKCS#1 v1.5 with
// SHA-256, keys of at least 2048 bits), ES256 (ECDSA P-256 with SHA-256) and EdDSA (Ed25519).
// "none" and the HMAC algorithms (HS256, …) cannot even be named, so a token can never make a
// resource server use its public key as an HMAC secret.
#pragma once

#include <boost/json/object.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tessera::resource_server {

enum class Algorithm { kRS256, kES256, kEdDSA };

// "RS256", "ES256", "EdDSA" → the algorithm; anything else (none, HS256, RS384, …) → nullopt.
std::optional<Algorithm> ParseAlgorithm(std::string_view name);
std::string_view AlgorithmName(Algorithm alg);

// One public key of a JWKS (RFC 7517), held as an OpenSSL EVP_PKEY. Immutable and
// thread-safe once made.
class PublicKey {
 public:
  // Reads a JWK: kty RSA (n, e), EC with crv P-256 (x, y) or OKP with crv Ed25519 (x). A key
  // whose "use" is not "sig", whose "key_ops" lacks "verify", that holds private members, or
  // whose "alg" names an algorithm this library refuses is refused. nullptr and *error on
  // refusal.
  static std::shared_ptr<const PublicKey> FromJwk(const boost::json::object& jwk,
                                                  std::string* error);
  ~PublicKey();
  PublicKey(const PublicKey&) = delete;
  PublicKey& operator=(const PublicKey&) = delete;

  // The JWK's "kid" ("" when it had none).
  const std::string& kid() const { return kid_; }
  // The JWK's "alg", when it published one.
  std::optional<Algorithm> published_alg() const { return published_alg_; }
  // Whether a signature of `alg` can be checked with this key: the key type fits the
  // algorithm, and the JWK's "alg" (if any) is that algorithm.
  bool Fits(Algorithm alg) const;
  // Checks a JWS signature (RFC 7515/7518/8037 encoding: ES256 is the 64-byte r‖s) of
  // `signing_input`. False for a key that does not fit `alg`. ES256 refuses the high-s twin
  // of a signature (s > n/2) when `low_s_only`: Tessera signs low-s only, so a token has one
  // valid form.
  bool Verify(Algorithm alg, std::string_view signing_input, std::string_view signature,
              bool low_s_only = true) const;

 private:
  struct Impl;
  PublicKey(std::unique_ptr<Impl> impl, std::string kid, std::optional<Algorithm> alg);
  std::unique_ptr<Impl> impl_;
  std::string kid_;
  std::optional<Algorithm> published_alg_;
};

// The usable keys of a JWKS document ({"keys": [...]}); keys this library cannot use are
// skipped, with why in *skipped (when given). nullopt (and *error) when the document is not
// a JWKS at all.
std::optional<std::vector<std::shared_ptr<const PublicKey>>> ParseJwks(
    std::string_view json, std::size_t max_keys, std::string* error,
    std::vector<std::string>* skipped = nullptr);

}  // namespace tessera::resource_server
