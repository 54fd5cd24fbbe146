// File: jwt.h
// Compact JWS/JWT signing and verification (RFC 7515, 7519), as profiled by RFC 8725
// (JWT BCP) and RFC 9068 (access tokens). Verification pins the accepted algorithms, finds the
// key by `kid`, requires the key's own algorithm to equal the header's (no confusion, never
// "none"), then checks signature, `typ`, time (with leeway), issuer and audience.
#pragma once

#include <boost/json/object.hpp>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "crypto/signing_key.h"

namespace tessera::crypto {

inline constexpr size_t kMaxJwtSize = 8192;

Result<std::string> SignJwt(const SigningKey& key, std::string_view typ,
                            const boost::json::object& claims);

// Finds a verification key by kid; returns nullptr when there is none.
using KeyLookup = std::function<const SigningKey*(std::string_view kid)>;

struct JwtVerifyOptions {
  std::vector<JwsAlg> allowed_algs;
  std::string typ;        // required header typ, compared case-insensitively; "" = any
  std::string issuer;     // required `iss`
  std::string audience;   // required member of `aud`; "" = not checked
  int64_t now_seconds = 0;
  int64_t leeway_seconds = 30;
  bool allow_expired = false;  // only for hints (id_token_hint): the signature still counts
};

// A compact JWS whose signature verified, decoded.
struct VerifiedJws {
  boost::json::object header;
  boost::json::object claims;
};

// The key a JWS header names or carries (a DPoP proof's `jwk`, RFC 9449 §4.2); nullptr when
// there is none it may use. The pointer must stay valid until VerifyJws returns.
using HeaderKeyLookup = std::function<const SigningKey*(const boost::json::object& header)>;

// The signature only: the algorithm is among `allowed_algs` and the key's own, `typ` matches
// ("" = any), no `crit`; the payload is a JSON object. Claims are the caller's to check.
// kUnauthenticated saying what was wrong.
Result<VerifiedJws> VerifyJws(std::string_view token, const HeaderKeyLookup& keys,
                              const std::vector<JwsAlg>& allowed_algs, std::string_view typ);

// Returns the claims of a valid token, or kUnauthenticated saying what was wrong.
Result<boost::json::object> VerifyJwt(std::string_view token, const KeyLookup& keys,
                                      const JwtVerifyOptions& options);

}  // namespace tessera::crypto
