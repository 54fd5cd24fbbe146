#include "crypto/password_hash.h"

#include <gtest/gtest.h>

namespace tessera::crypto {
namespace {

// Small parameters keep the test fast; production defaults are OWASP's (19 MiB, t=2).
const Argon2Params kFast{1, 8 * 1024 * 1024};

TEST(PasswordHash, Argon2idRoundTrip) {
  auto hash = HashPassword("correct horse battery staple", kFast);
  ASSERT_TRUE(hash.ok());
  EXPECT_EQ(hash->rfind("$argon2id$v=19$m=8192,t=1,p=1$", 0), 0u) << *hash;
  EXPECT_EQ(VerifyPassword("correct horse battery staple", *hash, kFast), PasswordMatch::kYes);
  EXPECT_EQ(VerifyPassword("correct horse battery stapl", *hash, kFast), PasswordMatch::kNo);
  EXPECT_NE(*hash, HashPassword("correct horse battery staple", kFast).value());  // salted
}

TEST(PasswordHash, Argon2idWithOldParametersNeedsRehash) {
  auto hash = HashPassword("pw-1234567", kFast);
  ASSERT_TRUE(hash.ok());
  Argon2Params stronger{2, 8 * 1024 * 1024};
  EXPECT_EQ(VerifyPassword("pw-1234567", *hash, stronger), PasswordMatch::kYesNeedsRehash);
}

// Django's format; the digests were computed with Python's hashlib.pbkdf2_hmac.
TEST(PasswordHash, DjangoPbkdf2Sha256) {
  const std::string h1 = "pbkdf2_sha256$1000$seasalt123$KuEnssc6S4MzVSS8Tu48m1RDSrTAn7j3CfgvvjkvfWA=";
  EXPECT_EQ(VerifyPassword("correct horse", h1, kFast), PasswordMatch::kYesNeedsRehash);
  EXPECT_EQ(VerifyPassword("correct horsE", h1, kFast), PasswordMatch::kNo);
  const std::string h2 =
      "pbkdf2_sha256$260000$Zb3sX9$w2ZGBRUW+IvKM2Q14l9DTVoaCfGrfNipaeP8AyzCQKw=";
  EXPECT_EQ(VerifyPassword("pässwörd", h2, kFast), PasswordMatch::kYesNeedsRehash);
}

TEST(PasswordHash, DjangoPbkdf2MalformedNeverMatches) {
  EXPECT_EQ(VerifyPassword("x", "pbkdf2_sha256$", kFast), PasswordMatch::kNo);
  EXPECT_EQ(VerifyPassword("x", "pbkdf2_sha256$abc$salt$aGVsbG8=", kFast), PasswordMatch::kNo);
  EXPECT_EQ(VerifyPassword("x", "pbkdf2_sha256$0$salt$aGVsbG8=", kFast), PasswordMatch::kNo);
  // An absurd iteration count is refused rather than computed.
  EXPECT_EQ(VerifyPassword("x", "pbkdf2_sha256$999999999$salt$aGVsbG8=", kFast),
            PasswordMatch::kNo);
}

// OpenBSD/Openwall bcrypt test vectors.
TEST(PasswordHash, Bcrypt) {
  EXPECT_EQ(VerifyPassword("U*U", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW",
                           kFast),
            PasswordMatch::kYesNeedsRehash);
  EXPECT_EQ(VerifyPassword("U*U*", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.VGOzA784oUp/Z0DY336zx7pLYAy0lwK",
                           kFast),
            PasswordMatch::kYesNeedsRehash);
  EXPECT_EQ(VerifyPassword("U*V", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW",
                           kFast),
            PasswordMatch::kNo);
  EXPECT_EQ(VerifyPassword("U*U", "$2b$05$garbage", kFast), PasswordMatch::kNo);
}

TEST(PasswordHash, UnknownFormatsNeverMatch) {
  EXPECT_EQ(VerifyPassword("", "", kFast), PasswordMatch::kNo);
  EXPECT_EQ(VerifyPassword("plain", "plain", kFast), PasswordMatch::kNo);
  EXPECT_EQ(VerifyPassword("x", "md5$salt$abc", kFast), PasswordMatch::kNo);
}

}  // namespace
}  // namespace tessera::crypto
