// File: encoding.h
// Byte/text encodings used by tokens and JOSE: base64url (RFC 4648 §5, no padding), base64, hex.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tessera::crypto {

std::string Base64UrlEncode(std::string_view bytes);
// Returns nullopt for anything that is not canonical unpadded base64url.
std::optional<std::string> Base64UrlDecode(std::string_view text);
std::string Base64Encode(std::string_view bytes);
std::optional<std::string> Base64Decode(std::string_view text);
std::string HexEncode(std::string_view bytes);

}  // namespace tessera::crypto
