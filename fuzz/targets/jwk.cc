// Public JWKs as an upstream provider's JWKS serves them (crypto/signing_key.h
// SigningKey::FromPublicJwk): random JSON and mutations of real keys (fuzz/corpus/jwk: the
// public halves of jwt_keys.h's fixed keys, a Google-shaped RSA key, refused shapes).
// Properties: only a public key of a supported type is accepted — never one with a private
// member, a use other than sig — and it cannot sign; its own JWK reads back as the same key;
// and it verifies a signature of the fixed key of its algorithm exactly when it is that key.
#include <boost/json.hpp>

#include "jwt_fixture.h"

namespace {
namespace json = boost::json;
using namespace tessera;

constexpr std::string_view kInput = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1MSJ9";

// The JWK without its kid (the key material and its declared type).
json::object Material(json::object jwk) {
  jwk.erase("kid");
  return jwk;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const fuzz::JwtFixture fixture;
  boost::system::error_code ec;
  json::parse_options options;
  options.max_depth = 16;
  json::value value = json::parse(fuzz::AsText(data, size), ec, {}, options);
  if (ec || !value.is_object()) return 0;
  const json::object& jwk = value.as_object();

  auto key = crypto::SigningKey::FromPublicJwk(jwk);
  if (!key.ok()) {
    FUZZ_CHECK(key.status().code() == StatusCode::kInvalidArgument, "refusals are kInvalidArgument");
    return 0;
  }
  for (std::string_view member : {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}) {
    FUZZ_CHECK(!jwk.contains(member), "a JWK with private material was accepted");
  }
  auto use = jwk.find("use");
  FUZZ_CHECK(use == jwk.end() || (use->value().is_string() && use->value().as_string() == "sig"),
             "a key not for signatures was accepted");
  FUZZ_CHECK(!key->has_private_key() && key->PrivatePem().empty() && !key->Sign(kInput).ok(),
             "a public key can sign");

  json::object own = key->PublicJwk();
  FUZZ_CHECK(!own.contains("d"), "a private member in the JWK written");
  auto again = crypto::SigningKey::FromPublicJwk(own);
  FUZZ_CHECK(again.ok() && again->alg() == key->alg() && again->PublicJwk() == own,
             "the key's own JWK does not read back as the same key");

  for (const crypto::SigningKey& fixed : fixture.keys) {
    if (fixed.alg() != key->alg()) continue;
    auto signature = fixed.Sign(kInput);
    FUZZ_CHECK(signature.ok(), "the fixed key cannot sign");
    bool same = Material(own) == Material(fixed.PublicJwk());
    FUZZ_CHECK(key->Verify(kInput, *signature) == same,
               "a signature verifies under a key other than its own (or not under its own)");
  }
  return 0;
}
