// File: password_hash.h
// Password hashing: argon2id (libsodium) for every new hash; verification also accepts the
// hashes of Django's hashers (`pbkdf2_sha256$…`, `pbkdf2_sha1$…`, `argon2$…`, `bcrypt$…`,
// `bcrypt_sha256$…`) and bare bcrypt `$2a$/$2b$/$2y$…`, so imported users can log in and be
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

// What a stored hash is, by its prefix alone (nothing is computed): what the importer reports
// and checks.
enum class PasswordHashKind {
  kArgon2id,             // Tessera's own
  kDjangoPbkdf2Sha256,   // pbkdf2_sha256$…
  kDjangoPbkdf2Sha1,     // pbkdf2_sha1$…
  kDjangoArgon2,         // argon2$argon2id$… or argon2$argon2i$…
  kBcrypt,               // bcrypt$$2b$… (Django) or a bare $2a$/$2b$/$2y$…
  kDjangoBcryptSha256,   // bcrypt_sha256$$2b$…
  kUnusable,             // Django's "!…" (set_unusable_password) or empty: never matches
  kUnsupported,          // anything else (md5$…, crypt…): never matches
};
PasswordHashKind KindOfPasswordHash(std::string_view stored);
std::string_view PasswordHashKindName(PasswordHashKind kind);  // "pbkdf2_sha256", "unusable"…

// Imported argon2 hashes above these costs are refused (Django's defaults: 100 MiB, t=2).
inline constexpr int64_t kMaxImportedArgon2MemoryKiB = 256 * 1024;
inline constexpr int64_t kMaxImportedArgon2Passes = 16;
// bcrypt costs above this are refused (Django's default is 12; each step doubles the work).
inline constexpr int kMaxImportedBcryptCost = 15;

// PBKDF2 iteration counts above this are refused: a crafted import must not pin a CPU.
inline constexpr int kMaxPbkdf2Iterations = 5'000'000;

}  // namespace tessera::crypto
