// File: client_keys.h
// A client's public keys (OIDC Registration `jwks`): the JWK Set it registered, which verifies
// what it signs — its request objects (RFC 9101). Checked once when registered (ClientService),
// read the same way when used (request_object.h).
#pragma once

#include <boost/json.hpp>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "crypto/signing_key.h"

namespace tessera::services {

inline constexpr size_t kMaxClientJwksBytes = 16 * 1024;
inline constexpr size_t kMaxClientKeys = 10;

// The keys of a JWK Set ({"keys": [...]}, at most 10, 16 KiB): public signing keys only
// (SigningKey::FromPublicJwk's rules — no private member, use "sig"), kids unique.
// kInvalidArgument saying what is wrong (with the key's position).
Result<std::vector<crypto::SigningKey>> ParseClientJwks(std::string_view jwks_json);

// The key a JWS header asks for: the one with its kid; without a kid, the only key of its alg.
// nullptr when there is none (or, without a kid, more than one).
const crypto::SigningKey* KeyForHeader(const std::vector<crypto::SigningKey>& keys,
                                       const boost::json::object& header);

}  // namespace tessera::services
