#include "crypto/jwk_thumbprint.h"

#include <array>
#include <boost/json.hpp>
#include <string_view>
#include <vector>

#include "crypto/digest.h"
#include "crypto/encoding.h"

namespace tessera::crypto {
namespace json = boost::json;

namespace {

// RFC 7638 §3.2: the required members of each key type, already in lexicographic order.
std::vector<std::string_view> RequiredMembers(std::string_view kty) {
  if (kty == "EC") return {"crv", "kty", "x", "y"};
  if (kty == "RSA") return {"e", "kty", "n"};
  if (kty == "OKP") return {"crv", "kty", "x"};  // RFC 8037 §2
  return {};
}

}  // namespace

Result<std::string> JwkThumbprint(const json::object& jwk) {
  auto kty = jwk.find("kty");
  if (kty == jwk.end() || !kty->value().is_string()) {
    return InvalidArgumentError("JWK thumbprint: kty is missing");
  }
  std::vector<std::string_view> members = RequiredMembers(kty->value().as_string());
  if (members.empty()) return InvalidArgumentError("JWK thumbprint: unsupported kty");
  json::object ordered;  // Boost.JSON keeps insertion order and serializes without whitespace
  for (std::string_view name : members) {
    auto it = jwk.find(name);
    if (it == jwk.end() || !it->value().is_string()) {
      return InvalidArgumentError("JWK thumbprint: " + std::string(name) + " is missing");
    }
    ordered[name] = it->value().as_string();
  }
  return Base64UrlEncode(Sha256(json::serialize(ordered)));
}

}  // namespace tessera::crypto
