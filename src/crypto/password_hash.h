// File: password_hash.h
// Password hashing: argon2id (libsodium) for every new hash; verification also accepts
// Django's `pbkdf2_sha256$…` and bcrypt `$2a$/$2b$/$2y$…` so imported users can log in and be
// re-hashed to argon2id. These are CPU/memory-expensive calls: run them only through
// PasswordHasher (services/password_hasher.h), which bounds their concurrency.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace tessera::crypto {

// OWASP's argon2id recommendation: m = 19 MiB, t = 2, p = 1.
struct Argon2Params {
  uint64_t ops_limit = 2;
  size_t mem_limit_bytes = 19 * 1024 * 1024;
};

enum class PasswordMatch { kNo, kYes, kYesNeedsRehash };

Result<std::string> HashPassword(std::string_view password, const Argon2Params& params);

// Constant-time in the comparison; `stored` may be any supported format. Unknown formats
// and malformed hashes never match.
PasswordMatch VerifyPassword(std::string_view password, std::string_view stored,
                             const Argon2Params& current);

// PBKDF2 iteration counts above this are refused: a crafted import must not pin a CPU.
inline constexpr int kMaxPbkdf2Iterations = 5'000'000;

}  // namespace tessera::crypto
