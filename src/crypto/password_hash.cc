#include "crypto/password_hash.h"

#include <crypt.h>
#include <openssl/evp.h>
#include <sodium.h>

#include <charconv>
#include <memory>

#include "crypto/digest.h"
#include "crypto/encoding.h"
#include "crypto/random.h"

namespace tessera::crypto {
namespace {

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

PasswordMatch VerifyArgon2(std::string_view password, std::string_view stored,
                           const Argon2Params& current) {
  std::string z(stored);  // libsodium wants a NUL-terminated string
  if (crypto_pwhash_str_verify(z.c_str(), password.data(), password.size()) != 0) {
    return PasswordMatch::kNo;
  }
  bool stale = crypto_pwhash_str_needs_rehash(z.c_str(), current.ops_limit,
                                              current.mem_limit_bytes) != 0;
  return stale ? PasswordMatch::kYesNeedsRehash : PasswordMatch::kYes;
}

// Django: pbkdf2_sha256$<iterations>$<salt>$<base64(PBKDF2-HMAC-SHA256(password, salt, it, 32))>
PasswordMatch VerifyDjangoPbkdf2(std::string_view password, std::string_view stored) {
  std::string_view rest = stored.substr(std::string_view("pbkdf2_sha256$").size());
  size_t a = rest.find('$');
  size_t b = a == std::string_view::npos ? a : rest.find('$', a + 1);
  if (b == std::string_view::npos) return PasswordMatch::kNo;
  int iterations = 0;
  auto [p, ec] = std::from_chars(rest.data(), rest.data() + a, iterations);
  if (ec != std::errc() || p != rest.data() + a || iterations < 1 ||
      iterations > kMaxPbkdf2Iterations) {
    return PasswordMatch::kNo;
  }
  std::string_view salt = rest.substr(a + 1, b - a - 1);
  auto expected = Base64Decode(rest.substr(b + 1));
  if (!expected || expected->empty() || expected->size() > 64) return PasswordMatch::kNo;
  std::string derived(expected->size(), '\0');
  if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                        reinterpret_cast<const unsigned char*>(salt.data()),
                        static_cast<int>(salt.size()), iterations, EVP_sha256(),
                        static_cast<int>(derived.size()),
                        reinterpret_cast<unsigned char*>(derived.data())) != 1) {
    return PasswordMatch::kNo;
  }
  return ConstantTimeEquals(derived, *expected) ? PasswordMatch::kYesNeedsRehash
                                                : PasswordMatch::kNo;
}

// bcrypt through libxcrypt's crypt_rn (re-entrant; no hand-rolled Blowfish).
PasswordMatch VerifyBcrypt(std::string_view password, std::string_view stored) {
  if (password.find('\0') != std::string_view::npos) return PasswordMatch::kNo;
  auto data = std::make_unique<crypt_data>();
  std::string pw(password), setting(stored);
  const char* out = crypt_rn(pw.c_str(), setting.c_str(), data.get(), sizeof(crypt_data));
  if (!out || out[0] == '*') return PasswordMatch::kNo;
  return ConstantTimeEquals(out, stored) ? PasswordMatch::kYesNeedsRehash : PasswordMatch::kNo;
}

}  // namespace

Result<std::string> HashPassword(std::string_view password, const Argon2Params& params) {
  EnsureSodium();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), params.ops_limit,
                            params.mem_limit_bytes, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return ResourceExhaustedError("argon2id hashing failed (out of memory?)");
  }
  return std::string(out);
}

PasswordMatch VerifyPassword(std::string_view password, std::string_view stored,
                             const Argon2Params& current) {
  EnsureSodium();
  if (StartsWith(stored, "$argon2id$")) return VerifyArgon2(password, stored, current);
  if (StartsWith(stored, "pbkdf2_sha256$")) return VerifyDjangoPbkdf2(password, stored);
  if (StartsWith(stored, "$2a$") || StartsWith(stored, "$2b$") || StartsWith(stored, "$2y$")) {
    return VerifyBcrypt(password, stored);
  }
  return PasswordMatch::kNo;
}

}  // namespace tessera::crypto
