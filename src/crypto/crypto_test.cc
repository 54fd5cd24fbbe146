// Crypto primitives against published vectors: if a wrapper mis-uses OpenSSL or libsodium,
// these fail.
#include <gtest/gtest.h>

#include "crypto/aead.h"
#include "crypto/digest.h"
#include "crypto/encoding.h"
#include "crypto/random.h"

namespace tessera::crypto {
namespace {

std::string FromHex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

TEST(Encoding, Base64UrlRfc4648Vectors) {
  EXPECT_EQ(Base64UrlEncode(""), "");
  EXPECT_EQ(Base64UrlEncode("f"), "Zg");
  EXPECT_EQ(Base64UrlEncode("fo"), "Zm8");
  EXPECT_EQ(Base64UrlEncode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
  EXPECT_EQ(Base64UrlDecode("-_8").value(), "\xfb\xff");
}

TEST(Encoding, Base64UrlRejectsPaddingAndForeignCharacters) {
  EXPECT_FALSE(Base64UrlDecode("Zm8=").has_value());
  EXPECT_FALSE(Base64UrlDecode("Zm+8").has_value());
  EXPECT_FALSE(Base64UrlDecode("Zm 8").has_value());
}

// RFC 4648 §3.5: nonzero unused bits make a second spelling of the same bytes; only the
// encoder's own is taken, so a JWS part has exactly one text.
TEST(Encoding, Base64UrlRejectsNonCanonicalTrailingBits) {
  EXPECT_EQ(Base64UrlDecode("Zg").value(), "f");
  EXPECT_FALSE(Base64UrlDecode("Zh").has_value());   // "f" with a stray low bit
  EXPECT_EQ(Base64UrlDecode("Zm8").value(), "fo");
  EXPECT_FALSE(Base64UrlDecode("Zm9").has_value());  // "fo" with stray bits
  EXPECT_FALSE(Base64UrlDecode("-_9").has_value());
  // Every other spelling of 32 random bytes' last character is refused.
  std::string text = Base64UrlEncode(RandomBytes(32));
  int accepted = 0;
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  for (char c : alphabet) {
    std::string other = text;
    other.back() = c;
    accepted += Base64UrlDecode(other).has_value() ? 1 : 0;
  }
  EXPECT_EQ(accepted, 16);  // 43 characters carry 256 bits: the last one has 2 unused bits
}

TEST(Digest, Sha256Fips180Vector) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Digest, HmacSha256Rfc4231Case2) {
  EXPECT_EQ(HexEncode(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Digest, ConstantTimeEquals) {
  EXPECT_TRUE(ConstantTimeEquals("secret", "secret"));
  EXPECT_FALSE(ConstantTimeEquals("secret", "secreT"));
  EXPECT_FALSE(ConstantTimeEquals("secret", "secret1"));
}

// McGrew & Viega, "The Galois/Counter Mode of Operation", test case 14 (AES-256).
TEST(Aead, OpensGcmSpecTestCase14) {
  std::string key(32, '\0');
  std::string sealed = std::string(12, '\0') + FromHex("cea7403d4d606b6e074ec5d3baf39d18") +
                       FromHex("d0d1c8a799996bf0265b98b5d48ab919");
  auto plain = AeadOpen(key, sealed, "");
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_EQ(*plain, std::string(16, '\0'));
}

TEST(Aead, RoundTripAndTamperDetection) {
  std::string key = RandomBytes(32);
  auto sealed = AeadSeal(key, "private key PEM", "kid-1");
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(AeadOpen(key, *sealed, "kid-1").value(), "private key PEM");
  EXPECT_EQ(AeadOpen(key, *sealed, "kid-2").status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(AeadOpen(RandomBytes(32), *sealed, "kid-1").status().code(),
            StatusCode::kUnauthenticated);
  std::string flipped = *sealed;
  flipped[14] ^= 1;
  EXPECT_EQ(AeadOpen(key, flipped, "kid-1").status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(AeadOpen(key, "short", "").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(AeadSeal("short key", "x", "").status().code(), StatusCode::kInvalidArgument);
}

TEST(Random, TokensAreDistinctAndPrefixed) {
  std::string a = NewSecretToken("tsr_"), b = NewSecretToken("tsr_");
  EXPECT_NE(a, b);
  EXPECT_EQ(a.substr(0, 4), "tsr_");
  EXPECT_EQ(Base64UrlDecode(a.substr(4))->size(), 32u);  // 256 bits
}

TEST(Random, UuidV7Format) {
  std::string id = NewUuid();
  ASSERT_EQ(id.size(), 36u);
  EXPECT_EQ(id[14], '7');
  EXPECT_TRUE(id[19] == '8' || id[19] == '9' || id[19] == 'a' || id[19] == 'b');
  EXPECT_NE(NewUuid(), id);
}

}  // namespace
}  // namespace tessera::crypto
