#include "tokens/dpop_proof_service.h"

#include <boost/json.hpp>
#include <boost/url.hpp>

#include <optional>

#include "crypto/digest.h"
#include "crypto/encoding.h"
#include "crypto/jwk_thumbprint.h"
#include "crypto/jwt.h"

namespace tessera::services {
namespace json = boost::json;
namespace {

Status Invalid(std::string why) { return UnauthenticatedError("invalid DPoP proof: " + why); }

std::optional<std::string_view> StringClaim(const json::object& claims, std::string_view name) {
  auto it = claims.find(name);
  if (it == claims.end() || !it->value().is_string()) return std::nullopt;
  return std::string_view(it->value().as_string());
}

// A whole-second iat; fractions are allowed by NumericDate (RFC 7519 §2) and dropped.
std::optional<int64_t> IssuedAt(const json::object& claims) {
  auto it = claims.find("iat");
  if (it == claims.end()) return std::nullopt;
  const json::value& v = it->value();
  if (v.is_int64()) return v.as_int64();
  if (v.is_uint64()) return v.as_uint64() > INT64_MAX ? std::nullopt
                                                      : std::optional<int64_t>(v.as_uint64());
  if (v.is_double() && v.as_double() > -1e15 && v.as_double() < 1e15) {
    return static_cast<int64_t>(v.as_double());
  }
  return std::nullopt;
}

constexpr size_t kMaxJtiSize = 256;  // ours are never read back; a bound keeps rows small

}  // namespace

std::optional<std::string> NormalizedHtu(std::string_view text) {
  auto parsed = boost::urls::parse_uri(text);  // a fragment is allowed, then dropped
  if (!parsed) return std::nullopt;
  boost::urls::url u(*parsed);
  u.normalize();
  if (u.scheme() != "https" && u.scheme() != "http") return std::nullopt;
  if (!u.has_authority() || u.host().empty()) return std::nullopt;
  u.remove_query();
  u.remove_fragment();
  if ((u.scheme() == "https" && u.port() == "443") || (u.scheme() == "http" && u.port() == "80") ||
      (u.has_port() && u.port().empty())) {
    u.remove_port();
  }
  std::string out(u.buffer());
  // RFC 3986 §6.2.3: an empty path is "/". (Appended: Boost.URL 1.81's set_path("/") on an
  // empty path writes "/./".)
  if (u.encoded_path().empty()) out += '/';
  return out;
}

const std::vector<crypto::JwsAlg>& DpopProofService::Algorithms() {
  static const std::vector<crypto::JwsAlg> kAlgs = {crypto::JwsAlg::kES256, crypto::JwsAlg::kEdDSA,
                                                    crypto::JwsAlg::kRS256};
  return kAlgs;
}

Result<DpopProof> DpopProofService::Check(const store::App& app, const DpopProofRequest& r) {
  // §4.3 checks 2-7: one well-formed JWT, typ dpop+jwt, an asymmetric algorithm, signed by the
  // public key in its header (FromPublicJwk refuses private members and weak keys).
  std::optional<crypto::SigningKey> key;
  json::object jwk;
  auto key_in_header = [&](const json::object& header) -> const crypto::SigningKey* {
    auto it = header.find("jwk");
    if (it == header.end() || !it->value().is_object()) return nullptr;
    auto k = crypto::SigningKey::FromPublicJwk(it->value().as_object());
    if (!k.ok()) return nullptr;
    jwk = it->value().as_object();
    key = std::move(*k);
    return &*key;
  };
  auto jws = crypto::VerifyJws(r.proof, key_in_header, Algorithms(), "dpop+jwt");
  if (!jws.ok()) {
    std::string why = jws.status().message();
    constexpr std::string_view kPrefix = "invalid token: ";
    if (why.starts_with(kPrefix)) why.erase(0, kPrefix.size());
    if (why == "unknown key") why = "the header has no acceptable public jwk";
    return Invalid(why);
  }
  const json::object& claims = jws->claims;

  // Checks 8-11: the request it names, when it was made, what it is bound to.
  auto jti = StringClaim(claims, "jti");
  if (!jti || jti->empty() || jti->size() > kMaxJtiSize) return Invalid("jti is missing");
  auto htm = StringClaim(claims, "htm");
  if (!htm || *htm != r.method) return Invalid("htm does not name this request's method");
  auto htu = StringClaim(claims, "htu");
  if (!htu || NormalizedHtu(*htu) != NormalizedHtu(r.url)) {
    return Invalid("htu does not name this endpoint");
  }
  auto iat = IssuedAt(claims);
  int64_t now = clock_.NowSeconds();
  if (!iat) return Invalid("iat is missing");
  if (*iat > now + options_.future_skew_s) return Invalid("iat is in the future");
  if (*iat < now - options_.max_age_s) return Invalid("the proof is too old");
  if (!r.access_token.empty()) {
    auto ath = StringClaim(claims, "ath");
    std::string want = crypto::Base64UrlEncode(crypto::Sha256(r.access_token));
    if (!ath || !crypto::ConstantTimeEquals(*ath, want)) {
      return Invalid("ath does not match the access token");
    }
  }
  if (app.settings.dpop_nonce) {
    auto nonce = StringClaim(claims, "nonce");
    if (!nonce || !NonceIsCurrent(app, *nonce)) {
      return FailedPreconditionError("the proof must carry the server's current DPoP nonce");
    }
  }
  TESSERA_ASSIGN_OR_RETURN(std::string jkt, crypto::JwkThumbprint(jwk));

  // Check 12, last, so that only proofs good in every other way are recorded.
  std::string proof_id = crypto::Sha256Hex(jkt + "\n" + std::string(*jti));
  int64_t keep_until_ms = (std::max(*iat, now) + options_.max_age_s + 1) * 1000;
  TESSERA_ASSIGN_OR_RETURN(bool first, proofs_.RecordDpopProof(app.id, proof_id, keep_until_ms));
  if (!first) return Invalid("the proof was used before");
  return DpopProof{std::move(jkt)};
}

std::string DpopProofService::NonceFor(const store::App& app, int64_t period) const {
  std::string mac = crypto::HmacSha256(nonce_key_, app.id + "\n" + std::to_string(period));
  return crypto::Base64UrlEncode(std::string_view(mac).substr(0, 24));
}

std::string DpopProofService::Nonce(const store::App& app) const {
  return NonceFor(app, clock_.NowSeconds() / options_.nonce_period_s);
}

bool DpopProofService::NonceIsCurrent(const store::App& app, std::string_view nonce) const {
  int64_t period = clock_.NowSeconds() / options_.nonce_period_s;
  // The previous period's too: a nonce sent just before a period ends stays good for a while.
  return crypto::ConstantTimeEquals(nonce, NonceFor(app, period)) ||
         crypto::ConstantTimeEquals(nonce, NonceFor(app, period - 1));
}

}  // namespace tessera::services
