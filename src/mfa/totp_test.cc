// The pure parts of second factors: TOTP codes against RFC 6238's test vectors, the drift
// window and the one-use rule, otpauth URIs, QR codes, and recovery codes.
#include <gtest/gtest.h>

#include <set>

#include "mfa/qr_svg.h"
#include "mfa/recovery_codes.h"
#include "mfa/totp.h"

namespace tessera::services {
namespace {

const std::string kRfcSecret = "12345678901234567890";  // RFC 6238 Appendix B, SHA-1

TEST(TotpTest, Rfc6238Sha1Vectors) {
  struct Vector {
    int64_t unix_seconds;
    const char* code;
  };
  for (const Vector& v : {Vector{59, "94287082"}, Vector{1111111109, "07081804"},
                          Vector{1111111111, "14050471"}, Vector{1234567890, "89005924"},
                          Vector{2000000000, "69279037"}, Vector{20000000000, "65353130"}}) {
    SCOPED_TRACE(v.unix_seconds);
    EXPECT_EQ(TotpCode(kRfcSecret, TotpStepAt(v.unix_seconds * 1000), 8), v.code);
    // The six digits users type are the last six of the same value.
    EXPECT_EQ(TotpCode(kRfcSecret, TotpStepAt(v.unix_seconds * 1000)),
              std::string(v.code).substr(2));
  }
}

TEST(TotpTest, OneStepOfDriftEitherSideAndNoMore) {
  const UnixMillis now = 1'800'000'000'000;
  const int64_t step = TotpStepAt(now);
  for (int64_t d : {-1, 0, 1}) {
    EXPECT_EQ(MatchTotp(kRfcSecret, TotpCode(kRfcSecret, step + d), now, 0), step + d) << d;
  }
  for (int64_t d : {-3, -2, 2, 3}) {
    EXPECT_EQ(MatchTotp(kRfcSecret, TotpCode(kRfcSecret, step + d), now, 0), std::nullopt) << d;
  }
}

TEST(TotpTest, AStepIsAcceptedOnceAndNeverAnEarlierOne) {
  const UnixMillis now = 1'800'000'000'000;
  const int64_t step = TotpStepAt(now);
  const std::string code = TotpCode(kRfcSecret, step);
  EXPECT_EQ(MatchTotp(kRfcSecret, code, now, step - 1), step);
  EXPECT_EQ(MatchTotp(kRfcSecret, code, now, step), std::nullopt);  // replayed
  // After the next step was used, the code of the one before is spent too.
  EXPECT_EQ(MatchTotp(kRfcSecret, TotpCode(kRfcSecret, step - 1), now, step), std::nullopt);
}

TEST(TotpTest, OnlySixDigitsAreACode) {
  const UnixMillis now = 1'800'000'000'000;
  const std::string code = TotpCode(kRfcSecret, TotpStepAt(now));
  EXPECT_TRUE(MatchTotp(kRfcSecret, code.substr(0, 3) + " " + code.substr(3), now, 0));
  for (const std::string& bad :
       {std::string(""), code.substr(0, 5), code + "0", std::string("12a456"),
        std::string("１２３４５６"), std::string("' OR 1=1"),
        std::string(10000, '1')}) {
    EXPECT_EQ(MatchTotp(kRfcSecret, bad, now, 0), std::nullopt) << bad;
  }
}

TEST(TotpTest, SecretsAreRandomAnd160Bits) {
  std::string a = NewTotpSecret(), b = NewTotpSecret();
  EXPECT_EQ(a.size(), 20u);
  EXPECT_NE(a, b);
  EXPECT_EQ(TotpSecretBase32(kRfcSecret), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
}

TEST(TotpTest, OtpauthUriNamesIssuerAndAccountEscaped) {
  std::string uri = OtpauthUri("Acme & Co", "ann+1@example.com", kRfcSecret);
  EXPECT_EQ(uri,
            "otpauth://totp/Acme%20%26%20Co:ann%2B1%40example.com"
            "?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Acme%20%26%20Co"
            "&algorithm=SHA1&digits=6&period=30");
}

TEST(QrSvgTest, DrawsModulesAndEscapesTheTitle) {
  auto svg = QrSvg("otpauth://totp/A:b?secret=GEZDGNBV", "QR <code> & more");
  ASSERT_TRUE(svg.ok()) << svg.status().ToString();
  EXPECT_EQ(svg->rfind("<svg ", 0), 0u);
  EXPECT_NE(svg->find("<title id=\"qr-title\">QR &lt;code&gt; &amp; more</title>"),
            std::string::npos);
  EXPECT_NE(svg->find("h1v1h-1z"), std::string::npos);  // dark modules were drawn
  EXPECT_EQ(svg->find("<script"), std::string::npos);
  EXPECT_EQ(QrSvg(std::string(5000, 'x'), "t").status().code(), StatusCode::kInvalidArgument);
}

TEST(RecoveryCodesTest, TenDistinctCodesThatNormalizeAsTyped) {
  std::vector<std::string> codes = NewRecoveryCodes();
  ASSERT_EQ(codes.size(), 10u);
  std::set<std::string> distinct(codes.begin(), codes.end());
  EXPECT_EQ(distinct.size(), 10u);
  for (const auto& c : codes) {
    ASSERT_EQ(c.size(), 19u) << c;  // xxxx-xxxx-xxxx-xxxx
    auto n = NormalizeRecoveryCode(c);
    ASSERT_TRUE(n) << c;
    std::string upper;
    for (char ch : c) upper.push_back(static_cast<char>(std::toupper(ch)));
    std::string spaced = c.substr(0, 9) + " " + c.substr(10);
    EXPECT_EQ(NormalizeRecoveryCode(upper), n);
    EXPECT_EQ(NormalizeRecoveryCode(spaced), n);
    EXPECT_EQ(RecoveryCodeHash(*n).size(), 64u);
  }
  for (const std::string& bad : {std::string(""), std::string("abcd"), std::string(16, 'o'),
                                 std::string("abcd-efgh-jkmn-pqr"), std::string("<script>"),
                                 std::string(100, 'a')}) {
    EXPECT_FALSE(NormalizeRecoveryCode(bad)) << bad;
  }
}

}  // namespace
}  // namespace tessera::services
