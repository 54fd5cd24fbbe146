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

// Django's own: the first is the vector of Django's tests (test_hashers.py, Django 3.2); the
// others were made by Django 3.2's make_password("lètmein", …) with each hasher.
TEST(PasswordHash, EveryDjangoHasher) {
  const std::string pw = "lètmein";
  const std::pair<std::string, PasswordHashKind> hashes[] = {
      {"pbkdf2_sha256$260000$seasalt$YlZ2Vggtqdc61YjArZuoApoBh9JNGYoDRBUGu6tcJQo=",
       PasswordHashKind::kDjangoPbkdf2Sha256},
      {"pbkdf2_sha1$260000$seasalt$XXHk2gQ7tjWIyrS320RXXsGqkUg=",
       PasswordHashKind::kDjangoPbkdf2Sha1},
      {"argon2$argon2id$v=19$m=102400,t=2,p=8$Z1p0VG10dFpOU09EWjl2dGxqVjk4cQ$5og15ssGMxW3XJew8yYvIw",
       PasswordHashKind::kDjangoArgon2},
      {"bcrypt_sha256$$2b$12$CYkzP6H7Y0i/6BSay4vFY.Z2jQmioviZP/3fjGjw/3uRbHjeVjgPu",
       PasswordHashKind::kDjangoBcryptSha256},
      {"bcrypt$$2b$12$ElQbNVyjSd2p79157C2EuurExrGfFFWK4YHRDEWdT9nFu6a5fIE6a",
       PasswordHashKind::kBcrypt},
  };
  for (const auto& [hash, kind] : hashes) {
    EXPECT_EQ(KindOfPasswordHash(hash), kind) << hash;
    EXPECT_EQ(VerifyPassword(pw, hash, kFast), PasswordMatch::kYesNeedsRehash) << hash;
    EXPECT_EQ(VerifyPassword("letmein", hash, kFast), PasswordMatch::kNo) << hash;
  }
}

// bcrypt_sha256 exists for passwords longer than bcrypt's 72 bytes: they must not collide.
TEST(PasswordHash, DjangoBcryptSha256TellsLongPasswordsApart) {
  const std::string h = "bcrypt_sha256$$2b$12$6NQEwRIuEQF0LiP78mqXQup7.9YJX9oJpsBzoZQyEDaUO/Yn8G7yO";
  EXPECT_EQ(VerifyPassword(std::string(100, 'x'), h, kFast), PasswordMatch::kYesNeedsRehash);
  EXPECT_EQ(VerifyPassword(std::string(99, 'x') + "y", h, kFast), PasswordMatch::kNo);
}

TEST(PasswordHash, ImportedArgon2BeyondTheCostLimitsIsRefusedUncomputed) {
  // Well-formed, but 1 GiB of memory: refused before libsodium would allocate it.
  EXPECT_EQ(VerifyPassword("x", "argon2$argon2id$v=19$m=1048576,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g",
                           kFast),
            PasswordMatch::kNo);
  EXPECT_EQ(VerifyPassword("x", "argon2$argon2id$v=19$m=1024,t=99,p=1$c2FsdHNhbHQ$aGFzaGhhc2g",
                           kFast),
            PasswordMatch::kNo);
  EXPECT_EQ(VerifyPassword("x", "argon2$argon2id$v=19$t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g", kFast),
            PasswordMatch::kNo);
  EXPECT_EQ(VerifyPassword("x", "argon2$scrypt$m=1024", kFast), PasswordMatch::kNo);
}

TEST(PasswordHash, BcryptBeyondTheCostLimitIsRefusedUncomputed) {
  // Cost 31 would take hours; the salt and hash are well-formed.
  EXPECT_EQ(VerifyPassword("U*U", "$2a$31$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW",
                           kFast),
            PasswordMatch::kNo);
  EXPECT_EQ(VerifyPassword("x", "bcrypt$$2b$16$ElQbNVyjSd2p79157C2EuurExrGfFFWK4YHRDEWdT9nFu6a5fIE6a",
                           kFast),
            PasswordMatch::kNo);
  EXPECT_EQ(VerifyPassword("x", "$2b$1x$garbage", kFast), PasswordMatch::kNo);
}

TEST(PasswordHash, UnusableAndUnsupportedKinds) {
  EXPECT_EQ(KindOfPasswordHash("!jmInS6NE2Ly5frDFR3O0i10sEaHEDJfo7x2PORqw"),
            PasswordHashKind::kUnusable);
  EXPECT_EQ(KindOfPasswordHash(""), PasswordHashKind::kUnusable);
  EXPECT_EQ(KindOfPasswordHash("md5$salt$abc"), PasswordHashKind::kUnsupported);
  EXPECT_EQ(KindOfPasswordHash("bcrypt$notbcrypt"), PasswordHashKind::kUnsupported);
  EXPECT_EQ(VerifyPassword("", "!", kFast), PasswordMatch::kNo);
  EXPECT_EQ(PasswordHashKindName(PasswordHashKind::kDjangoBcryptSha256), "bcrypt_sha256");
}

TEST(PasswordHash, UnknownFormatsNeverMatch) {
  EXPECT_EQ(VerifyPassword("", "", kFast), PasswordMatch::kNo);
  EXPECT_EQ(VerifyPassword("plain", "plain", kFast), PasswordMatch::kNo);
  EXPECT_EQ(VerifyPassword("x", "md5$salt$abc", kFast), PasswordMatch::kNo);
}

}  // namespace
}  // namespace tessera::crypto
