// File: test_keys.h
// Real keys for the tests, made with OpenSSL at run time (RSA 2048, EC P-256, Ed25519), their
// JWKs, and JWTs signed with them — the issuer's side, done by hand.
#pragma once

#include <openssl/types.h>

#include <boost/json.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace tessera::resource_server::testing {

class TestKey {
 public:
  static TestKey Rsa(std::string kid, int bits = 2048);
  static TestKey Ec(std::string kid);
  static TestKey Ed25519(std::string kid);

  const std::string& kid() const { return kid_; }
  const std::string& alg() const { return alg_; }  // RS256, ES256 or EdDSA
  // The public JWK (kid, use sig, alg unless !with_alg).
  boost::json::object Jwk(bool with_alg = true) const;
  // The JWS signature of `input` (ES256: low-s r‖s).
  std::string SignRaw(std::string_view input) const;
  // The public key as PEM (for the "public key as HMAC secret" attack).
  std::string PublicPem() const;

 private:
  TestKey(std::string kid, std::string alg, std::shared_ptr<EVP_PKEY> key)
      : kid_(std::move(kid)), alg_(std::move(alg)), key_(std::move(key)) {}
  std::string kid_, alg_;
  std::shared_ptr<EVP_PKEY> key_;
};

std::string B64(std::string_view raw);
// header.claims.signature with `key`; the header is used as given.
std::string SignJwt(const TestKey& key, const boost::json::object& header,
                    const boost::json::object& claims);
// The usual header: {"alg": key.alg(), "typ": "at+jwt", "kid": key.kid()}.
boost::json::object AtHeader(const TestKey& key);
// An HS256 JWT with `secret` as the HMAC key.
std::string HmacJwt(const boost::json::object& header, const boost::json::object& claims,
                    std::string_view secret);
// {"keys": [...]} of the keys.
std::string JwksOf(const std::vector<const TestKey*>& keys);
// The high-s twin (r, n − s) of an ES256 JWT's signature.
std::string HighSTwin(const std::string& es256_jwt);

}  // namespace tessera::resource_server::testing
