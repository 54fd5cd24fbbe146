#include "oauth/request_object.h"

#include <boost/json.hpp>

#include "crypto/jwt.h"
#include "oauth/client_keys.h"

namespace tessera::services {
namespace {

constexpr int64_t kLeewayS = 60;
constexpr int64_t kMaxLifetimeS = 3600;
// The claims that say who made the object and when; not authorization parameters.
constexpr std::string_view kEnvelopeClaims[] = {"iss", "aud", "exp", "nbf", "iat", "jti"};

OAuthError Invalid(std::string description) {
  return OAuthError(kInvalidRequestObject, std::move(description));
}

bool AudienceHas(const boost::json::value* aud, std::string_view issuer) {
  if (!aud) return false;
  if (aud->is_string()) return aud->as_string() == issuer;
  if (!aud->is_array()) return false;
  for (const auto& a : aud->as_array()) {
    if (a.is_string() && a.as_string() == issuer) return true;
  }
  return false;
}

std::optional<OAuthError> TimesProblem(const boost::json::object& c, int64_t now) {
  auto seconds = [&](std::string_view name) -> std::optional<int64_t> {
    const boost::json::value* v = c.if_contains(name);
    return v && v->is_int64() ? std::optional<int64_t>(v->as_int64()) : std::nullopt;
  };
  for (std::string_view name : {"exp", "nbf", "iat"}) {
    if (c.contains(name) && !seconds(name)) return Invalid(std::string(name) + " is not a number");
  }
  auto exp = seconds("exp"), nbf = seconds("nbf"), iat = seconds("iat");
  if (exp && *exp <= now - kLeewayS) return Invalid("the request object has expired");
  if (nbf && *nbf > now + kLeewayS) return Invalid("the request object is not valid yet");
  if (iat && *iat > now + kLeewayS) return Invalid("the request object was issued in the future");
  if (exp && *exp - (iat ? *iat : now) > kMaxLifetimeS) {
    return Invalid("the request object lives longer than an hour");
  }
  return std::nullopt;
}

// A claim as an authorization parameter's text.
std::string ParameterText(const boost::json::value& v) {
  if (v.is_string()) return std::string(v.as_string());
  if (v.is_bool()) return v.as_bool() ? "true" : "false";
  return boost::json::serialize(v);  // numbers as written; `claims` and other objects as JSON
}

bool IsEnvelope(std::string_view claim) {
  for (std::string_view e : kEnvelopeClaims) {
    if (claim == e) return true;
  }
  return false;
}

}  // namespace

const std::vector<crypto::JwsAlg>& RequestObjectVerifier::Algorithms() {
  static const std::vector<crypto::JwsAlg> kAlgs = {crypto::JwsAlg::kES256, crypto::JwsAlg::kEdDSA,
                                                    crypto::JwsAlg::kRS256};
  return kAlgs;
}

OAuthResult<AuthorizeRequest::Params> RequestObjectVerifier::Unpack(
    const store::App& app, const store::OAuthClient& client,
    const AuthorizeRequest::Params& outer) const {
  const std::string& token = outer.at("request");
  if (token.size() > kMaxRequestObjectBytes) return Invalid("the request object is too large");
  if (client.jwks.empty()) {
    return Invalid("the client has registered no keys to verify its request objects with");
  }
  auto keys = ParseClientJwks(client.jwks);
  if (!keys.ok()) return Invalid("the client's registered keys are unusable");
  auto jws = crypto::VerifyJws(
      token, [&](const boost::json::object& header) { return KeyForHeader(*keys, header); },
      Algorithms(), "");
  if (!jws.ok()) return Invalid("the request object's signature does not verify: " + jws.status().message());
  const boost::json::value* typ = jws->header.if_contains("typ");
  if (typ && !(typ->is_string() &&
               (typ->as_string() == "JWT" || typ->as_string() == "oauth-authz-req+jwt"))) {
    return Invalid("the request object's typ must be oauth-authz-req+jwt");
  }
  const boost::json::object& c = jws->claims;
  if (!AudienceHas(c.if_contains("aud"), apps_.IssuerFor(app.slug))) {
    return Invalid("the request object's aud must be this issuer");
  }
  for (std::string_view name : {"iss", "client_id"}) {
    const boost::json::value* v = c.if_contains(name);
    if (v && !(v->is_string() && v->as_string() == client.client_id)) {
      return Invalid("the request object's " + std::string(name) + " must be the client's id");
    }
  }
  if (auto problem = TimesProblem(c, clock_.NowSeconds())) return *problem;
  AuthorizeRequest::Params params;
  for (const auto& [name, value] : c) {
    if (name == "request" || name == "request_uri") {
      return Invalid("a request object cannot hold another request");
    }
    if (!IsEnvelope(name)) params[std::string(name)] = ParameterText(value);
  }
  params["client_id"] = client.client_id;
  return params;
}

}  // namespace tessera::services
