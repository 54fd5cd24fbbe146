#include "crypto/jwt.h"

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>

#include "crypto/encoding.h"

namespace tessera::crypto {
namespace json = boost::json;
namespace {

std::string_view GetStringMember(const json::object& obj, std::string_view name) {
  auto it = obj.find(name);
  if (it == obj.end() || !it->value().is_string()) return {};
  return it->value().as_string();
}

Status Invalid(std::string why) { return UnauthenticatedError("invalid token: " + why); }

Result<json::object> DecodeJsonPart(std::string_view part) {
  auto bytes = Base64UrlDecode(part);
  if (!bytes) return Invalid("bad base64url");
  boost::system::error_code ec;
  json::value v = json::parse(*bytes, ec);
  if (ec || !v.is_object()) return Invalid("bad JSON");
  return std::move(v.as_object());
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// RFC 9068 §4: typ is "at+jwt"; the "application/" prefix may be present (RFC 7515 §4.1.9).
bool TypMatches(std::string_view got, std::string_view want) {
  if (want.empty()) return true;
  if (EqualsIgnoreCase(got, want)) return true;
  constexpr std::string_view kPrefix = "application/";
  return got.size() > kPrefix.size() && EqualsIgnoreCase(got.substr(0, kPrefix.size()), kPrefix) &&
         EqualsIgnoreCase(got.substr(kPrefix.size()), want);
}

// Whole seconds. A number beyond int64 (a uint64, a double such as 1e300) saturates: far
// future stays far future, where a plain conversion wrapped or was undefined behaviour (found
// by fuzz/targets/jwt_claims.cc). NaN (Boost.JSON 1.81 reads 0e400 so) is not a date.
std::optional<int64_t> NumericDate(const json::object& claims, std::string_view name) {
  auto it = claims.find(name);
  if (it == claims.end()) return std::nullopt;
  const json::value& v = it->value();
  if (v.is_int64()) return v.as_int64();
  if (v.is_uint64()) return static_cast<int64_t>(std::min<uint64_t>(v.as_uint64(), INT64_MAX));
  if (!v.is_double() || std::isnan(v.as_double())) return std::nullopt;
  double d = v.as_double();
  if (d >= 0x1p63) return INT64_MAX;
  if (d < -0x1p63) return INT64_MIN;
  return static_cast<int64_t>(d);
}

bool AudienceContains(const json::object& claims, std::string_view audience) {
  auto it = claims.find("aud");
  if (it == claims.end()) return false;
  if (it->value().is_string()) return it->value().as_string() == audience;
  if (!it->value().is_array()) return false;
  for (const auto& a : it->value().as_array()) {
    if (a.is_string() && a.as_string() == audience) return true;
  }
  return false;
}

Status CheckClaims(const json::object& claims, const JwtVerifyOptions& opt) {
  auto exp = NumericDate(claims, "exp");
  if (!exp) return Invalid("missing exp");
  // The leeway moves our clock, never the token's date, which may be any int64: no overflow.
  if (!opt.allow_expired && *exp <= opt.now_seconds - opt.leeway_seconds) return Invalid("expired");
  if (auto nbf = NumericDate(claims, "nbf"); nbf && *nbf > opt.now_seconds + opt.leeway_seconds) {
    return Invalid("not yet valid");
  }
  if (auto iat = NumericDate(claims, "iat"); iat && *iat > opt.now_seconds + opt.leeway_seconds) {
    return Invalid("issued in the future");
  }
  auto iss = claims.find("iss");
  if (iss == claims.end() || !iss->value().is_string() || iss->value().as_string() != opt.issuer) {
    return Invalid("wrong issuer");
  }
  if (!opt.audience.empty() && !AudienceContains(claims, opt.audience)) {
    return Invalid("wrong audience");
  }
  return OkStatus();
}

}  // namespace

Result<std::string> SignJwt(const SigningKey& key, std::string_view typ,
                            const json::object& claims) {
  json::object header;
  header["alg"] = JwsAlgName(key.alg());
  header["typ"] = typ;
  header["kid"] = key.kid();
  std::string input = Base64UrlEncode(json::serialize(header)) + "." +
                      Base64UrlEncode(json::serialize(claims));
  TESSERA_ASSIGN_OR_RETURN(std::string sig, key.Sign(input));
  return input + "." + Base64UrlEncode(sig);
}

Result<VerifiedJws> VerifyJws(std::string_view token, const HeaderKeyLookup& keys,
                              const std::vector<JwsAlg>& allowed_algs, std::string_view typ) {
  if (token.size() > kMaxJwtSize) return Invalid("too large");
  size_t d1 = token.find('.');
  size_t d2 = d1 == std::string_view::npos ? d1 : token.find('.', d1 + 1);
  if (d2 == std::string_view::npos || token.find('.', d2 + 1) != std::string_view::npos) {
    return Invalid("not a compact JWS");
  }
  TESSERA_ASSIGN_OR_RETURN(json::object header, DecodeJsonPart(token.substr(0, d1)));
  auto alg_name = GetStringMember(header, "alg");
  auto alg = ParseJwsAlg(alg_name);
  if (!alg || std::find(allowed_algs.begin(), allowed_algs.end(), *alg) == allowed_algs.end()) {
    return Invalid("algorithm not allowed");
  }
  if (header.contains("crit")) return Invalid("unsupported critical header");
  if (!TypMatches(GetStringMember(header, "typ"), typ)) return Invalid("wrong typ");
  const SigningKey* key = keys(header);
  if (!key || key->alg() != *alg) return Invalid("unknown key");
  auto sig = Base64UrlDecode(token.substr(d2 + 1));
  if (!sig || !key->Verify(token.substr(0, d2), *sig)) return Invalid("bad signature");
  TESSERA_ASSIGN_OR_RETURN(json::object claims, DecodeJsonPart(token.substr(d1 + 1, d2 - d1 - 1)));
  return VerifiedJws{std::move(header), std::move(claims)};
}

Result<json::object> VerifyJwt(std::string_view token, const KeyLookup& keys,
                               const JwtVerifyOptions& opt) {
  auto by_kid = [&](const json::object& header) { return keys(GetStringMember(header, "kid")); };
  TESSERA_ASSIGN_OR_RETURN(VerifiedJws jws, VerifyJws(token, by_kid, opt.allowed_algs, opt.typ));
  TESSERA_RETURN_IF_ERROR(CheckClaims(jws.claims, opt));
  return std::move(jws.claims);
}

}  // namespace tessera::crypto
