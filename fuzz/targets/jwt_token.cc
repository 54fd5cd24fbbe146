// JWT/JWS verification (crypto/jwt.h VerifyJwt) of whole tokens as a resource presents them:
// random bytes, and mutations of the seed tokens (fuzz/corpus/jwt_token), which are real
// tokens signed with the fixed keys of jwt_keys.h. Property: a token is accepted only when
// its signed part (header.payload) is one we signed — no mutation of a header, a payload or
// an encoding gets through — and then its claims pass the issuer, audience and time checks.
//
// The seeds are written by this binary: FUZZ_JWT_WRITE_SEEDS=fuzz/corpus/jwt_token ./fuzz_jwt_token -runs=0
#include <boost/json.hpp>

#include <fstream>
#include <set>

#include "jwt_fixture.h"

namespace {
using namespace tessera;

constexpr std::string_view kGood = R"({"iss":"https://id.example/apps/default","sub":"u1",)"
    R"("aud":"https://id.example/apps/default","iat":1799999000,"exp":4102444800,)"
    R"("scope":"openid account","sid":"s1","jti":"j1","client_id":"web"})";
// Signed by us but refused by the claim checks: expired, another issuer, another audience.
constexpr std::string_view kClaims[] = {
    kGood,
    R"({"iss":"https://id.example/apps/default","aud":["x","https://id.example/apps/default"],"exp":1800000600,"nbf":1799999990})",
    R"({"iss":"https://id.example/apps/default","aud":"https://id.example/apps/default","exp":1700000000})",
    R"({"iss":"https://id.example/apps/other","aud":"https://id.example/apps/default","exp":4102444800})",
    R"({"iss":"https://id.example/apps/default","aud":"https://id.example/apps/other","exp":4102444800})",
};

struct Signed {
  std::string kid;
  std::string header;
};
const Signed kHeaders[] = {
    {"es", R"({"alg":"ES256","typ":"at+jwt","kid":"es"})"},
    {"ed", R"({"alg":"EdDSA","typ":"at+jwt","kid":"ed"})"},
    {"rs", R"({"alg":"RS256","typ":"application/at+jwt","kid":"rs"})"},
    // Confusion attempts, signed with the key the kid names: refused by the alg/kid rules.
    {"rs", R"({"alg":"ES256","typ":"at+jwt","kid":"rs"})"},
    {"ed", R"({"alg":"none","typ":"at+jwt","kid":"ed"})"},
    {"es", R"({"alg":"ES256","typ":"JWT","kid":"es"})"},
    {"es", R"({"alg":"ES256","typ":"at+jwt","kid":"es","crit":["exp"]})"},
};

std::set<std::string> SignedInputs() {
  std::set<std::string> out;
  for (const auto& h : kHeaders) {
    for (auto c : kClaims) {
      out.insert(crypto::Base64UrlEncode(h.header) + "." + crypto::Base64UrlEncode(c));
    }
  }
  return out;
}

void WriteSeeds(const std::string& dir) {
  int n = 0;
  for (const auto& h : kHeaders) {
    for (auto c : kClaims) {
      std::ofstream(dir + "/signed_" + std::to_string(n++)) << fuzz::Jwt().Sign(h.kid, h.header, c);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (const char* dir = std::getenv("FUZZ_JWT_WRITE_SEEDS")) WriteSeeds(dir);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::set<std::string> kSigned = SignedInputs();
  std::string_view token = fuzz::AsText(data, size);
  const auto& jwt = fuzz::Jwt();
  auto claims = crypto::VerifyJwt(token, jwt.lookup, jwt.options);
  if (!claims.ok()) {
    FUZZ_CHECK(claims.status().code() == StatusCode::kUnauthenticated, "refusals are 401s");
    return 0;
  }
  std::string_view signed_part = token.substr(0, token.rfind('.'));
  FUZZ_CHECK(kSigned.contains(std::string(signed_part)), "only what we signed is accepted");
  FUZZ_CHECK(claims->at("iss").as_string() == fuzz::kIssuer, "the issuer was checked");
  return 0;
}
