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

// Django: pbkdf2_sha256$<iterations>$<salt>$<base64(PBKDF2-HMAC-SHA256(password, salt, it, 32))>,
// and the same with SHA-1 (pbkdf2_sha1$…, 20 bytes). `rest` is what follows "<algorithm>$".
PasswordMatch VerifyDjangoPbkdf2(std::string_view password, std::string_view rest,
                                 const EVP_MD* digest) {
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
                        static_cast<int>(salt.size()), iterations, digest,
                        static_cast<int>(derived.size()),
                        reinterpret_cast<unsigned char*>(derived.data())) != 1) {
    return PasswordMatch::kNo;
  }
  return ConstantTimeEquals(derived, *expected) ? PasswordMatch::kYesNeedsRehash
                                                : PasswordMatch::kNo;
}

// bcrypt through libxcrypt's crypt_rn (re-entrant; no hand-rolled Blowfish). The cost is the
// hash's own ("$2b$12$…": 2^12 rounds): one above kMaxImportedBcryptCost is refused rather
// than computed, as an imported hash chooses it.
PasswordMatch VerifyBcrypt(std::string_view password, std::string_view stored) {
  if (password.find('\0') != std::string_view::npos) return PasswordMatch::kNo;
  int cost = 0;
  auto [end, ec] = std::from_chars(stored.data() + std::min<size_t>(4, stored.size()),
                                   stored.data() + std::min<size_t>(6, stored.size()), cost);
  if (ec != std::errc() || end != stored.data() + std::min<size_t>(6, stored.size()) ||
      cost < 4 || cost > kMaxImportedBcryptCost) {
    return PasswordMatch::kNo;
  }
  auto data = std::make_unique<crypt_data>();
  std::string pw(password), setting(stored);
  const char* out = crypt_rn(pw.c_str(), setting.c_str(), data.get(), sizeof(crypt_data));
  if (!out || out[0] == '*') return PasswordMatch::kNo;
  return ConstantTimeEquals(out, stored) ? PasswordMatch::kYesNeedsRehash : PasswordMatch::kNo;
}

bool IsBcrypt(std::string_view s) {
  return StartsWith(s, "$2a$") || StartsWith(s, "$2b$") || StartsWith(s, "$2y$");
}

// The value of `key=` (m, t or p) in argon2's parameter field "m=102400,t=2,p=8"; -1 if absent.
int64_t Argon2Param(std::string_view params, char key) {
  for (size_t pos = 0; pos < params.size();) {
    size_t end = params.find(',', pos);
    if (end == std::string_view::npos) end = params.size();
    std::string_view item = params.substr(pos, end - pos);
    if (item.size() > 2 && item[0] == key && item[1] == '=') {
      int64_t v = -1;
      auto [p, ec] = std::from_chars(item.data() + 2, item.data() + item.size(), v);
      return ec == std::errc() && p == item.data() + item.size() ? v : -1;
    }
    pos = end + 1;
  }
  return -1;
}

// Django's Argon2PasswordHasher: "argon2" followed by argon2's own encoding
// ("$argon2id$v=19$m=102400,t=2,p=8$salt$hash", or argon2i). libsodium verifies any lane
// count; the cost is checked first, because an imported hash chooses it: memory and passes
// beyond kMaxImportedArgon2* are refused rather than computed.
PasswordMatch VerifyDjangoArgon2(std::string_view password, std::string_view encoded) {
  if (!StartsWith(encoded, "$argon2id$") && !StartsWith(encoded, "$argon2i$")) {
    return PasswordMatch::kNo;
  }
  size_t m_at = encoded.find("$m=");
  if (m_at == std::string_view::npos) return PasswordMatch::kNo;
  std::string_view params = encoded.substr(m_at + 1);
  params = params.substr(0, params.find('$'));
  int64_t m = Argon2Param(params, 'm'), t = Argon2Param(params, 't'), p = Argon2Param(params, 'p');
  if (m < 8 || m > kMaxImportedArgon2MemoryKiB || t < 1 || t > kMaxImportedArgon2Passes || p < 1 ||
      p > 64) {
    return PasswordMatch::kNo;
  }
  std::string z(encoded);  // libsodium wants a NUL-terminated string
  if (crypto_pwhash_str_verify(z.c_str(), password.data(), password.size()) != 0) {
    return PasswordMatch::kNo;
  }
  return PasswordMatch::kYesNeedsRehash;
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
  switch (KindOfPasswordHash(stored)) {
    case PasswordHashKind::kArgon2id:
      return VerifyArgon2(password, stored, current);
    case PasswordHashKind::kDjangoPbkdf2Sha256:
      return VerifyDjangoPbkdf2(password, stored.substr(14), EVP_sha256());
    case PasswordHashKind::kDjangoPbkdf2Sha1:
      return VerifyDjangoPbkdf2(password, stored.substr(12), EVP_sha1());
    case PasswordHashKind::kDjangoArgon2:
      return VerifyDjangoArgon2(password, stored.substr(6));
    case PasswordHashKind::kBcrypt:
      return VerifyBcrypt(password, StartsWith(stored, "bcrypt$") ? stored.substr(7) : stored);
    case PasswordHashKind::kDjangoBcryptSha256:
      // Django hashes the password with SHA-256 first (hex), which lifts bcrypt's 72-byte limit.
      return VerifyBcrypt(Sha256Hex(password), stored.substr(14));
    case PasswordHashKind::kUnusable:
    case PasswordHashKind::kUnsupported:
      return PasswordMatch::kNo;
  }
  return PasswordMatch::kNo;
}

PasswordHashKind KindOfPasswordHash(std::string_view stored) {
  if (StartsWith(stored, "$argon2id$")) return PasswordHashKind::kArgon2id;
  if (StartsWith(stored, "pbkdf2_sha256$")) return PasswordHashKind::kDjangoPbkdf2Sha256;
  if (StartsWith(stored, "pbkdf2_sha1$")) return PasswordHashKind::kDjangoPbkdf2Sha1;
  if (StartsWith(stored, "argon2$")) return PasswordHashKind::kDjangoArgon2;
  if (IsBcrypt(stored) || (StartsWith(stored, "bcrypt$") && IsBcrypt(stored.substr(7)))) {
    return PasswordHashKind::kBcrypt;
  }
  if (StartsWith(stored, "bcrypt_sha256$") && IsBcrypt(stored.substr(14))) {
    return PasswordHashKind::kDjangoBcryptSha256;
  }
  // Django's make_password(None): "!" and 40 random characters; a password never set.
  if (stored.empty() || stored[0] == '!') return PasswordHashKind::kUnusable;
  return PasswordHashKind::kUnsupported;
}

std::string_view PasswordHashKindName(PasswordHashKind kind) {
  switch (kind) {
    case PasswordHashKind::kArgon2id: return "argon2id";
    case PasswordHashKind::kDjangoPbkdf2Sha256: return "pbkdf2_sha256";
    case PasswordHashKind::kDjangoPbkdf2Sha1: return "pbkdf2_sha1";
    case PasswordHashKind::kDjangoArgon2: return "argon2";
    case PasswordHashKind::kBcrypt: return "bcrypt";
    case PasswordHashKind::kDjangoBcryptSha256: return "bcrypt_sha256";
    case PasswordHashKind::kUnusable: return "unusable";
    case PasswordHashKind::kUnsupported: return "unsupported";
  }
  return "unsupported";
}

}  // namespace tessera::crypto
