// File: base64url.h (internal)
// Strict base64url (RFC 4648 §5) as JWS uses it: no padding, no whitespace, and the unused
// low bits of the last character must be zero, so every byte string has exactly one encoding.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tessera::resource_server::internal {

std::optional<std::string> Base64UrlDecode(std::string_view in);
std::string Base64UrlEncode(std::string_view in);

}  // namespace tessera::resource_server::internal
