// File: digest.h
// SHA-256, SHA-512 and HMAC-SHA-256 (OpenSSL), and constant-time comparison.
#pragma once

#include <string>
#include <string_view>

namespace tessera::crypto {

std::string Sha256(std::string_view data);      // 32 raw bytes
std::string Sha512(std::string_view data);      // 64 raw bytes
std::string Sha256Hex(std::string_view data);   // 64 lowercase hex chars
std::string HmacSha256(std::string_view key, std::string_view data);

// Compares two secrets without leaking, through timing, where they first differ.
// Different lengths compare unequal (the length of a digest is not a secret).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// The stored form of a high-entropy secret token: its SHA-256 in hex. A slow hash is not
// needed for 256-bit random tokens; it is for passwords (password_hash.h).
inline std::string TokenHash(std::string_view token) { return Sha256Hex(token); }

}  // namespace tessera::crypto
