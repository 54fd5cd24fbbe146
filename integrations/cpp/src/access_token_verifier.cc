#include "tessera/resource_server/access_token_verifier.h"

#include <boost/json.hpp>

#include <cctype>
#include <stdexcept>

#include "base64url.h"
#include "json_claims.h"
#include "printable.h"

namespace tessera::resource_server {
namespace json = boost::json;
using internal::Base64UrlDecode;
using internal::NumericDate;
using internal::StringMember;

namespace {

VerifyError Err(VerifyErrorCode code, std::string reason) { return {code, std::move(reason)}; }

std::optional<json::object> DecodeJsonObject(std::string_view b64) {
  auto raw = Base64UrlDecode(b64);
  if (!raw) return std::nullopt;
  boost::system::error_code ec;
  json::value v = json::parse(*raw, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.get_object());
}

bool TypIsAtJwt(std::string_view typ) {
  std::string lower(typ);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower == "at+jwt" || lower == "application/at+jwt";
}

std::int64_t SystemNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::string_view ErrorCodeName(VerifyErrorCode code) {
  switch (code) {
    case VerifyErrorCode::kMalformed: return "malformed";
    case VerifyErrorCode::kUnsupportedAlgorithm: return "unsupported_algorithm";
    case VerifyErrorCode::kWrongType: return "wrong_type";
    case VerifyErrorCode::kUnknownKey: return "unknown_key";
    case VerifyErrorCode::kKeysUnavailable: return "keys_unavailable";
    case VerifyErrorCode::kBadSignature: return "bad_signature";
    case VerifyErrorCode::kWrongIssuer: return "wrong_issuer";
    case VerifyErrorCode::kWrongAudience: return "wrong_audience";
    case VerifyErrorCode::kExpired: return "expired";
    case VerifyErrorCode::kNotYetValid: return "not_yet_valid";
    case VerifyErrorCode::kIssuedInFuture: return "issued_in_future";
    case VerifyErrorCode::kMissingClaim: return "missing_claim";
    case VerifyErrorCode::kClientNotAllowed: return "client_not_allowed";
    case VerifyErrorCode::kInactive: return "inactive";
    case VerifyErrorCode::kIntrospectionUnavailable: return "introspection_unavailable";
  }
  return "unknown";
}

AccessTokenVerifier::AccessTokenVerifier(VerifierOptions options, std::shared_ptr<KeySource> keys)
    : options_(std::move(options)), keys_(std::move(keys)) {
  if (options_.issuer.empty()) throw std::invalid_argument("AccessTokenVerifier: issuer is required");
  if (!keys_) throw std::invalid_argument("AccessTokenVerifier: a key source is required");
  if (options_.algorithms.empty()) throw std::invalid_argument("AccessTokenVerifier: no algorithm allowed");
  if (options_.audience.empty()) options_.audience = options_.issuer;
}

VerifyResult AccessTokenVerifier::Verify(std::string_view token) const {
  using C = VerifyErrorCode;
  if (token.empty()) return Err(C::kMalformed, "empty token");
  if (token.size() > options_.max_token_bytes) return Err(C::kMalformed, "token too large");
  size_t dot1 = token.find('.');
  size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return Err(C::kMalformed, "not a JWS in compact form");
  }
  std::string_view header_b64 = token.substr(0, dot1);
  std::string_view payload_b64 = token.substr(dot1 + 1, dot2 - dot1 - 1);
  std::string_view sig_b64 = token.substr(dot2 + 1);

  // Header: alg first, so none/HS* are refused before anything else is looked at.
  auto header = DecodeJsonObject(header_b64);
  if (!header) return Err(C::kMalformed, "the header is not a base64url JSON object");
  const json::string* alg_name = StringMember(*header, "alg");
  if (!alg_name) return Err(C::kMalformed, "the header has no alg");
  std::optional<Algorithm> alg = ParseAlgorithm(std::string_view(*alg_name));
  if (!alg || !options_.algorithms.count(*alg)) {
    return Err(C::kUnsupportedAlgorithm, "alg " + internal::Printable(*alg_name) + " is not accepted");
  }
  const json::string* typ = StringMember(*header, "typ");
  if (!typ || !TypIsAtJwt(std::string_view(*typ))) {
    return Err(C::kWrongType, "typ is not at+jwt: not an access token");
  }
  if (header->contains("crit")) return Err(C::kMalformed, "the header has crit extensions");
  const json::string* kid = StringMember(*header, "kid");
  if (!kid || kid->empty()) return Err(C::kUnknownKey, "the header names no key (kid)");

  auto sig = Base64UrlDecode(sig_b64);
  if (!sig || sig->empty()) return Err(C::kMalformed, "the signature is not base64url");
  // The claims are decoded before the key lookup (a fetch) only to refuse garbage early;
  // nothing in them is trusted before the signature is checked.
  auto claims = DecodeJsonObject(payload_b64);
  if (!claims) return Err(C::kMalformed, "the claims are not a base64url JSON object");

  KeyLookup found = keys_->Find(std::string_view(*kid), *alg);
  if (found.outcome == KeyLookup::Outcome::kUnavailable) {
    return Err(C::kKeysUnavailable, "the issuer's keys are unavailable: " + found.detail);
  }
  if (found.outcome != KeyLookup::Outcome::kFound || !found.key) {
    return Err(C::kUnknownKey, found.detail.empty() ? "unknown key" : found.detail);
  }
  std::string_view signing_input = token.substr(0, dot2);
  if (!found.key->Verify(*alg, signing_input, *sig)) {
    return Err(C::kBadSignature, "the signature does not verify");
  }

  // Signed by the issuer's key: now the claims.
  const json::object& c = *claims;
  const json::string* iss = StringMember(c, "iss");
  if (!iss) return Err(C::kMissingClaim, "no iss");
  if (*iss != options_.issuer) return Err(C::kWrongIssuer, "issued by another issuer (" + internal::Printable(*iss) + ")");
  auto aud_it = c.find("aud");
  if (aud_it == c.end()) return Err(C::kMissingClaim, "no aud");
  bool aud_ok = false;
  if (aud_it->value().is_string()) {
    aud_ok = aud_it->value().get_string() == options_.audience;
  } else if (aud_it->value().is_array()) {
    for (const auto& a : aud_it->value().get_array()) aud_ok |= a.is_string() && a.get_string() == options_.audience;
  } else {
    return Err(C::kMalformed, "aud is neither a string nor an array");
  }
  if (!aud_ok) return Err(C::kWrongAudience, "not meant for this audience");

  std::int64_t now = options_.now ? options_.now() : SystemNow();
  std::int64_t leeway = options_.leeway.count();
  auto exp = NumericDate(c, "exp");
  if (!exp) return Err(C::kMissingClaim, "no exp");
  if (now - leeway >= *exp) return Err(C::kExpired, "the token has expired");
  if (c.contains("nbf")) {
    auto nbf = NumericDate(c, "nbf");
    if (!nbf) return Err(C::kMalformed, "nbf is not a number");
    if (now + leeway < *nbf) return Err(C::kNotYetValid, "the token is not valid yet");
  }
  auto iat = NumericDate(c, "iat");
  if (!iat) return Err(C::kMissingClaim, "no iat");
  if (now + leeway < *iat) return Err(C::kIssuedInFuture, "the token was issued in the future");

  const json::string* sub = StringMember(c, "sub");
  if (!sub || sub->empty()) return Err(C::kMissingClaim, "no sub");
  const json::string* client_id = StringMember(c, "client_id");
  if (!client_id || client_id->empty()) return Err(C::kMissingClaim, "no client_id");
  const json::string* jti = StringMember(c, "jti");
  if (!jti || jti->empty()) return Err(C::kMissingClaim, "no jti");
  if (!options_.allowed_client_ids.empty()) {
    bool allowed = false;
    for (const auto& id : options_.allowed_client_ids) allowed |= *client_id == id;
    if (!allowed) return Err(C::kClientNotAllowed, "issued to a client this API does not accept");
  }

  VerifiedToken out;
  out.issuer = std::string(*iss);
  out.subject = std::string(*sub);
  out.client_id = std::string(*client_id);
  out.token_id = std::string(*jti);
  out.issued_at = *iat;
  out.expires_at = *exp;
  if (auto it = c.find("scope"); it != c.end()) {
    if (!it->value().is_string()) return Err(C::kMalformed, "scope is not a string");
    out.scopes = internal::SplitScope(it->value().get_string());
  }
  if (auto it = c.find("roles"); it != c.end()) {
    if (!internal::StringArray(it->value(), &out.roles)) {
      return Err(C::kMalformed, "roles is not an array of strings");
    }
  }
  out.claims = std::move(*claims);
  return out;
}

}  // namespace tessera::resource_server
