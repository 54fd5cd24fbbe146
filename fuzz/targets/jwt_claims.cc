// JWT verification past the signature: the header and claims checks of crypto/jwt.cc (alg,
// kid, typ, crit; exp, nbf, iat, iss, aud). The input is "<header JSON>\n<claims JSON>" (no
// newline: the claims, under a fixed header), signed here with the fixed Ed25519 key as given
// (byte for byte, not re-serialized), so every input reaches the checks a random token never
// passes. Property: a token accepted carries an allowed alg naming its own key, the issuer,
// the audience, and times that hold when computed exactly (in long double: no overflow).
#include <boost/json.hpp>

#include <cmath>
#include <optional>

#include "jwt_fixture.h"

namespace {
namespace json = boost::json;
using namespace tessera;

constexpr std::string_view kDefaultHeader = R"({"alg":"EdDSA","typ":"at+jwt","kid":"ed"})";

std::optional<long double> Date(const json::object& claims, std::string_view name) {
  auto it = claims.find(name);
  if (it == claims.end()) return std::nullopt;
  const json::value& v = it->value();
  if (v.is_int64()) return static_cast<long double>(v.as_int64());
  if (v.is_uint64()) return static_cast<long double>(v.as_uint64());
  // NaN (Boost.JSON 1.81 reads 0e400 so) is no date, as for crypto/jwt.cc.
  if (v.is_double() && !std::isnan(v.as_double())) return static_cast<long double>(v.as_double());
  return std::nullopt;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input = fuzz::AsText(data, size);
  size_t nl = input.find('\n');
  std::string_view header = nl == input.npos ? kDefaultHeader : input.substr(0, nl);
  std::string_view claims_text = nl == input.npos ? input : input.substr(nl + 1);

  const auto& jwt = fuzz::Jwt();
  std::string token = jwt.Sign("ed", header, claims_text);
  auto claims = crypto::VerifyJwt(token, jwt.lookup, jwt.options);
  if (!claims.ok()) {
    FUZZ_CHECK(claims.status().code() == StatusCode::kUnauthenticated, "refusals are 401s");
    return 0;
  }
  json::object h = json::parse(header).as_object();
  FUZZ_CHECK(h.at("alg").as_string() == "EdDSA" && h.at("kid").as_string() == "ed",
             "the header names the key that signed, with its own algorithm");
  FUZZ_CHECK(!h.contains("crit"), "no critical header");
  FUZZ_CHECK(claims->at("iss").as_string() == fuzz::kIssuer, "issuer");
  const long double now = fuzz::kNow, leeway = jwt.options.leeway_seconds;
  auto exp = Date(*claims, "exp");
  FUZZ_CHECK(exp && *exp + leeway > now, "not expired");
  // A fractional date is truncated to whole seconds: within one second of the exact answer.
  if (auto nbf = Date(*claims, "nbf")) FUZZ_CHECK(*nbf - leeway < now + 1, "valid already");
  if (auto iat = Date(*claims, "iat")) FUZZ_CHECK(*iat - leeway < now + 1, "not issued later");
  return 0;
}
