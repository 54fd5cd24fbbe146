#include "tokens/access_token_service.h"

#include <boost/json.hpp>

#include "crypto/digest.h"
#include "crypto/encoding.h"
#include "crypto/jwt.h"
#include "crypto/random.h"

namespace tessera::services {
namespace json = boost::json;
namespace {

constexpr int64_t kLeewaySeconds = 30;

// The kid only picks the key snapshot; VerifyJwt re-parses the header and checks everything.
std::string KidOf(std::string_view token) {
  auto header = crypto::Base64UrlDecode(token.substr(0, token.find('.')));
  if (!header) return {};
  boost::system::error_code ec;
  auto v = json::parse(*header, ec);
  if (ec || !v.is_object()) return {};
  auto it = v.as_object().find("kid");
  if (it == v.as_object().end() || !it->value().is_string()) return {};
  return std::string(it->value().as_string());
}

std::string StringClaim(const json::object& claims, std::string_view name) {
  auto it = claims.find(name);
  return it != claims.end() && it->value().is_string() ? std::string(it->value().as_string())
                                                       : std::string();
}

int64_t IntClaim(const json::object& claims, std::string_view name) {
  auto it = claims.find(name);
  return it != claims.end() && it->value().is_int64() ? it->value().as_int64() : 0;
}

}  // namespace

bool ScopeIncludes(std::string_view scope, std::string_view wanted) {
  size_t pos = 0;
  while (pos <= scope.size()) {
    size_t end = scope.find(' ', pos);
    if (end == std::string_view::npos) end = scope.size();
    if (scope.substr(pos, end - pos) == wanted) return true;
    pos = end + 1;
  }
  return false;
}

bool LooksLikeJwt(std::string_view token) {
  return std::count(token.begin(), token.end(), '.') == 2;
}

Result<IssuedAccessToken> AccessTokenService::Issue(const AccessTokenRequest& r) {
  int64_t now = clock_.NowSeconds();
  int64_t ttl = r.ttl_seconds > 0 ? r.ttl_seconds : ttl_seconds_;
  json::object claims{{"iss", r.issuer},   {"sub", r.subject},
                      {"aud", r.audience}, {"client_id", r.client_id},
                      {"iat", now},        {"exp", now + ttl},
                      {"jti", crypto::NewUuid()}};
  if (!r.scope.empty()) claims["scope"] = r.scope;
  if (!r.session_id.empty()) claims["sid"] = r.session_id;
  if (r.auth_time > 0) claims["auth_time"] = r.auth_time;
  if (!r.act_json.empty()) {
    boost::system::error_code ec;
    json::value act = json::parse(r.act_json, ec);
    if (ec || !act.is_object()) return InternalError("act is not a JSON object");
    claims["act"] = std::move(act);
  }
  if (!r.dpop_jkt.empty()) claims["cnf"] = json::object{{"jkt", r.dpop_jkt}};
  if (r.roles) {
    json::array roles;
    for (const std::string& role : *r.roles) roles.emplace_back(role);
    claims["roles"] = std::move(roles);
  }
  auto keys = keys_.Current();
  TESSERA_ASSIGN_OR_RETURN(std::string token, crypto::SignJwt(keys->keys.front(), "at+jwt", claims));
  metrics_.access_tokens_issued.Inc();
  return IssuedAccessToken{std::move(token), ttl};
}

Result<VerifiedAccessToken> AccessTokenService::Verify(std::string_view token,
                                                       std::string_view issuer,
                                                       std::string_view audience) {
  if (token.size() > crypto::kMaxJwtSize) return UnauthenticatedError("invalid token: too large");
  int64_t now = clock_.NowSeconds();
  std::string digest = crypto::Sha256(token);
  if (auto hit = verified_.Find(digest)) {
    if (hit->issuer != issuer || (!audience.empty() && hit->audience != audience)) {
      return UnauthenticatedError("invalid token: wrong issuer");
    }
    if (hit->expires_at_s + kLeewaySeconds <= now) return UnauthenticatedError("invalid token: expired");
    if (keys_.Current()->Find(hit->kid)) {
      return VerifiedAccessToken{hit->subject,      hit->session_id,   hit->client_id,
                                 hit->scope,        hit->expires_at_s, hit->issued_at_s,
                                 hit->jti,          hit->audience,     hit->act_json,
                                 hit->dpop_jkt};
    }
    // The key is no longer published: fall through to a full verification (which fails).
  }
  std::string kid = KidOf(token);
  auto keys = keys_.ForKid(kid);
  crypto::JwtVerifyOptions opt;
  opt.allowed_algs = {crypto::JwsAlg::kES256, crypto::JwsAlg::kEdDSA, crypto::JwsAlg::kRS256};
  opt.typ = "at+jwt";
  opt.issuer = std::string(issuer);
  opt.audience = std::string(audience);
  opt.now_seconds = now;
  opt.leeway_seconds = kLeewaySeconds;
  auto lookup = [&keys](std::string_view k) { return keys->Find(k); };
  TESSERA_ASSIGN_OR_RETURN(json::object claims, crypto::VerifyJwt(token, lookup, opt));
  VerifiedAccessToken v{StringClaim(claims, "sub"), StringClaim(claims, "sid"),
                        StringClaim(claims, "client_id"), StringClaim(claims, "scope"),
                        IntClaim(claims, "exp"), IntClaim(claims, "iat"),
                        StringClaim(claims, "jti"), StringClaim(claims, "aud")};
  if (auto act = claims.find("act"); act != claims.end() && act->value().is_object()) {
    v.act_json = json::serialize(act->value());
  }
  if (auto cnf = claims.find("cnf"); cnf != claims.end()) {
    // A confirmation we cannot read is no confirmation to ignore: such a token is refused.
    auto* jkt = cnf->value().is_object() ? cnf->value().as_object().if_contains("jkt") : nullptr;
    if (!jkt || !jkt->is_string() || jkt->as_string().empty()) {
      return UnauthenticatedError("invalid token: unreadable cnf");
    }
    v.dpop_jkt = jkt->as_string();
  }
  if (v.subject.empty()) return UnauthenticatedError("invalid token: no subject");
  if (v.expires_at_s > 0) {
    verified_.Insert(digest, CachedToken{v.subject, v.session_id, v.client_id, v.scope, v.jti,
                                         std::string(issuer), v.audience, kid, v.expires_at_s,
                                         v.issued_at_s, v.act_json, v.dpop_jkt});
  }
  return v;
}

}  // namespace tessera::services
