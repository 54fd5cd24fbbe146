// File: jwk_thumbprint.h
// RFC 7638 JWK thumbprints: the SHA-256 of the key's required members, in lexicographic
// order, without whitespace, base64url-encoded. DPoP (RFC 9449 §6.1) binds tokens to a key
// by this value (`cnf.jkt`, `dpop_jkt`), so a client computes the same one from its own key.
#pragma once

#include <boost/json/object.hpp>
#include <string>

#include "base/result.h"

namespace tessera::crypto {

// Of a public JWK of type EC, RSA or OKP; kInvalidArgument when a required member is missing
// or not a string. Members are taken as sent: the caller has checked the key
// (SigningKey::FromPublicJwk), and the sender hashed the same text.
Result<std::string> JwkThumbprint(const boost::json::object& jwk);

}  // namespace tessera::crypto
