#include "services/access_token_service.h"

#include <boost/json.hpp>

#include "crypto/encoding.h"
#include "crypto/jwt.h"
#include "crypto/random.h"

namespace tessera::services {
namespace json = boost::json;
namespace {

constexpr int64_t kLeewaySeconds = 30;

std::string_view KidOf(std::string_view token) {
  // The kid is read only to pick the key snapshot; VerifyJwt re-parses and checks everything.
  auto header = crypto::Base64UrlDecode(token.substr(0, token.find('.')));
  if (!header) return {};
  static thread_local std::string kid;
  boost::system::error_code ec;
  auto v = json::parse(*header, ec);
  if (ec || !v.is_object()) return {};
  auto it = v.as_object().find("kid");
  if (it == v.as_object().end() || !it->value().is_string()) return {};
  kid = std::string(it->value().as_string());
  return kid;
}

std::string StringClaim(const json::object& claims, std::string_view name) {
  auto it = claims.find(name);
  return it != claims.end() && it->value().is_string() ? std::string(it->value().as_string())
                                                       : std::string();
}

}  // namespace

bool LooksLikeJwt(std::string_view token) {
  return std::count(token.begin(), token.end(), '.') == 2;
}

Result<IssuedAccessToken> AccessTokenService::Issue(const AccessTokenRequest& r) {
  int64_t now = clock_.NowSeconds();
  json::object claims{{"iss", r.issuer},   {"sub", r.subject},
                      {"aud", r.audience}, {"client_id", r.client_id},
                      {"iat", now},        {"exp", now + ttl_seconds_},
                      {"jti", crypto::NewUuid()}};
  if (!r.scope.empty()) claims["scope"] = r.scope;
  if (!r.session_id.empty()) claims["sid"] = r.session_id;
  if (r.auth_time > 0) claims["auth_time"] = r.auth_time;
  auto keys = keys_.Current();
  TESSERA_ASSIGN_OR_RETURN(std::string token, crypto::SignJwt(keys->keys.front(), "at+jwt", claims));
  metrics_.access_tokens_issued.Inc();
  return IssuedAccessToken{std::move(token), ttl_seconds_};
}

Result<VerifiedAccessToken> AccessTokenService::Verify(std::string_view token,
                                                       std::string_view issuer,
                                                       std::string_view audience) {
  if (token.size() > crypto::kMaxJwtSize) return UnauthenticatedError("invalid token: too large");
  auto keys = keys_.ForKid(KidOf(token));
  crypto::JwtVerifyOptions opt;
  opt.allowed_algs = {crypto::JwsAlg::kES256, crypto::JwsAlg::kEdDSA, crypto::JwsAlg::kRS256};
  opt.typ = "at+jwt";
  opt.issuer = std::string(issuer);
  opt.audience = std::string(audience);
  opt.now_seconds = clock_.NowSeconds();
  opt.leeway_seconds = kLeewaySeconds;
  auto lookup = [&keys](std::string_view kid) { return keys->Find(kid); };
  TESSERA_ASSIGN_OR_RETURN(json::object claims, crypto::VerifyJwt(token, lookup, opt));
  VerifiedAccessToken v{StringClaim(claims, "sub"), StringClaim(claims, "sid"),
                        StringClaim(claims, "client_id"), StringClaim(claims, "scope")};
  if (v.subject.empty()) return UnauthenticatedError("invalid token: no subject");
  return v;
}

}  // namespace tessera::services
