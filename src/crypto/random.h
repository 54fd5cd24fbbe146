// File: random.h
// Cryptographically secure randomness (libsodium's randombytes, seeded from the kernel).
#pragma once

#include <string>
#include <string_view>

namespace tessera::crypto {

// Initialises libsodium once; every entry point calls it, so callers need not.
void EnsureSodium();

std::string RandomBytes(size_t n);

// A uniformly distributed integer in [0, upper_bound) (libsodium's randombytes_uniform: no
// modulo bias), e.g. the digits of a one-time code.
uint32_t RandomUniform(uint32_t upper_bound);

// A 256-bit random secret, base64url-encoded behind a readable prefix (e.g. "tsr_"), so
// leaked tokens are recognisable by secret scanners.
std::string NewSecretToken(std::string_view prefix);

// Whether `token` could be one of ours with `prefix` at all: checked before any lookup, so an
// oversized or foreign value never reaches the database.
inline constexpr size_t kMaxSecretTokenLength = 128;
inline bool IsSecretTokenShaped(std::string_view token, std::string_view prefix) {
  return token.size() <= kMaxSecretTokenLength && token.substr(0, prefix.size()) == prefix;
}

// UUID version 7 (RFC 9562): time-ordered, so new rows land at the end of B-tree indexes.
std::string NewUuid();

}  // namespace tessera::crypto
