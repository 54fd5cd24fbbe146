// File: jwt_fixture.h
// The key set and verification options the JWT targets share: one fixed key per algorithm
// (jwt_keys.h) under kids "es", "ed" and "rs", every algorithm allowed, an access token's
// typ, issuer and audience, and a fixed "now".
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "crypto/encoding.h"
#include "crypto/jwt.h"
#include "fuzz_support.h"
#include "jwt_keys.h"

namespace tessera::fuzz {

inline constexpr std::string_view kIssuer = "https://id.example/apps/default";
inline constexpr int64_t kNow = 1'800'000'000;

struct JwtFixture {
  std::vector<crypto::SigningKey> keys;
  crypto::KeyLookup lookup;
  crypto::JwtVerifyOptions options;

  JwtFixture() {
    keys.push_back(crypto::SigningKey::FromPrivatePem(crypto::JwsAlg::kES256, "es", kEs256Pem).value());
    keys.push_back(crypto::SigningKey::FromPrivatePem(crypto::JwsAlg::kEdDSA, "ed", kEd25519Pem).value());
    keys.push_back(crypto::SigningKey::FromPrivatePem(crypto::JwsAlg::kRS256, "rs", kRs256Pem).value());
    lookup = [this](std::string_view kid) -> const crypto::SigningKey* {
      for (const auto& k : keys) {
        if (k.kid() == kid) return &k;
      }
      return nullptr;
    };
    options.allowed_algs = {crypto::JwsAlg::kES256, crypto::JwsAlg::kEdDSA, crypto::JwsAlg::kRS256};
    options.typ = "at+jwt";
    options.issuer = std::string(kIssuer);
    options.audience = std::string(kIssuer);
    options.now_seconds = kNow;
  }

  const crypto::SigningKey& Key(std::string_view kid) const { return *lookup(kid); }

  // header.payload.signature over exactly these JSON texts (SignJwt writes its own header).
  std::string Sign(std::string_view kid, std::string_view header, std::string_view claims) const {
    std::string input = crypto::Base64UrlEncode(header) + "." + crypto::Base64UrlEncode(claims);
    return input + "." + crypto::Base64UrlEncode(Key(kid).Sign(input).value());
  }
};

inline const JwtFixture& Jwt() {
  static const JwtFixture* fixture = new JwtFixture();  // never destroyed: no exit-time order
  return *fixture;
}

}  // namespace tessera::fuzz
