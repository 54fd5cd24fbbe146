// The WebAuthn checks against a software authenticator built here with OpenSSL and libcbor
// (the bytes a browser hands over): a valid registration and assertion (ES256 and EdDSA),
// and each check failing on its own — challenge, origin, type, RP ID hash, flags, signature,
// counter, algorithm, malformed input.
#include <cbor.h>
#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include <boost/json.hpp>
#include <memory>

#include "crypto/digest.h"
#include "crypto/encoding.h"
#include "mfa/webauthn.h"
#include "tests/support/soft_authenticator.h"

namespace tessera::services {
namespace {

using testing_support::SoftAuthenticator;

constexpr std::string_view kOrigin = "https://id.example.com";
constexpr std::string_view kRpId = "id.example.com";

std::string ClientData(std::string_view type, std::string_view challenge,
                       std::string_view origin = kOrigin) {
  return testing_support::ClientDataJson(type, challenge, origin);
}

WebAuthnExpectation Expect(std::string challenge, bool uv = false) {
  return {std::move(challenge), {std::string(kOrigin)}, std::string(kRpId), uv};
}

class WebAuthnTest : public ::testing::Test {
 protected:
  // A registration as the browser would send it.
  Result<NewCredential> Register(SoftAuthenticator& a, std::string_view type = "webauthn.create",
                                 std::string_view challenge = "chal-1",
                                 std::string_view origin = kOrigin,
                                 std::string_view rp_id = kRpId) {
    return VerifyRegistration(ClientData(type, challenge, origin),
                              a.AttestationObject(rp_id), Expect("chal-1"));
  }

  struct Assertion {
    std::string client_data, auth_data, signature;
  };
  static Assertion Assert(const SoftAuthenticator& a, std::string_view challenge = "chal-2",
                          std::string_view type = "webauthn.get",
                          std::string_view origin = kOrigin, std::string_view rp_id = kRpId) {
    Assertion out;
    out.client_data = ClientData(type, challenge, origin);
    out.auth_data = a.AuthData(rp_id, false);
    out.signature = a.Sign(out.auth_data + crypto::Sha256(out.client_data));
    return out;
  }
  static Result<VerifiedAssertion> Check(const Assertion& x, const std::string& jwk,
                                         int64_t stored = 0, bool uv = false) {
    return VerifyAssertion(x.client_data, x.auth_data, x.signature, jwk, stored,
                           Expect("chal-2", uv));
  }
};

TEST_F(WebAuthnTest, AValidRegistrationAndAssertionEs256) {
  SoftAuthenticator a;
  auto cred = Register(a);
  ASSERT_TRUE(cred.ok()) << cred.status().ToString();
  EXPECT_EQ(cred->credential_id, crypto::Base64UrlEncode(a.credential_id));
  EXPECT_EQ(cred->algorithm, kCoseEs256);
  EXPECT_TRUE(cred->user_verified);
  EXPECT_NE(cred->public_jwk.find("\"kty\":\"EC\""), std::string::npos);
  EXPECT_EQ(cred->public_jwk.find("\"d\""), std::string::npos);  // public half only
  a.counter = 1;
  auto ok = Check(Assert(a), cred->public_jwk, 0, /*uv=*/true);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->sign_count, 1);
  EXPECT_TRUE(ok->user_verified);
}

TEST_F(WebAuthnTest, EdDsaCredentialsWorkToo) {
  SoftAuthenticator a(/*ed25519=*/true);
  auto cred = Register(a);
  ASSERT_TRUE(cred.ok()) << cred.status().ToString();
  EXPECT_EQ(cred->algorithm, kCoseEdDsa);
  EXPECT_TRUE(Check(Assert(a), cred->public_jwk).ok());
}

TEST_F(WebAuthnTest, RegistrationChecksFailOneByOne) {
  SoftAuthenticator a;
  auto code = [](const Result<NewCredential>& r) { return r.status().code(); };
  EXPECT_EQ(code(Register(a, "webauthn.get")), StatusCode::kInvalidArgument);
  EXPECT_EQ(code(Register(a, "webauthn.create", "chal-X")), StatusCode::kInvalidArgument);
  EXPECT_EQ(code(Register(a, "webauthn.create", "chal-1", "https://evil.example")),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(code(Register(a, "webauthn.create", "chal-1", "http://id.example.com")),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(code(Register(a, "webauthn.create", "chal-1", kOrigin, "evil.example")),
            StatusCode::kInvalidArgument);
  SoftAuthenticator absent;
  absent.flags = 0x04;  // UV without UP
  EXPECT_EQ(code(Register(absent)), StatusCode::kInvalidArgument);
  // Malformed bytes of every kind are refused, never crash.
  for (const std::string& junk : {std::string(""), std::string("\xa1\x63" "fmt", 5),
                                  std::string(100, '\xff'), std::string("{}")}) {
    EXPECT_EQ(VerifyRegistration(ClientData("webauthn.create", "chal-1"), junk, Expect("chal-1"))
                  .status()
                  .code(),
              StatusCode::kInvalidArgument);
  }
  // A CBOR header declaring 2^27 elements in 5 bytes: libcbor 0.8 would reserve (and fill)
  // memory for all of them before reading one (1 GiB, the fuzzer's finding); refused first.
  EXPECT_EQ(VerifyRegistration(ClientData("webauthn.create", "chal-1"),
                               std::string("\x9a\x08\x00\x00\x00", 5), Expect("chal-1"))
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(VerifyRegistration("not json", a.AttestationObject(kRpId), Expect("chal-1"))
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  // A cross-origin frame's ceremony.
  std::string framed = boost::json::serialize(boost::json::object{
      {"type", "webauthn.create"}, {"challenge", "chal-1"}, {"origin", kOrigin},
      {"crossOrigin", true}});
  EXPECT_EQ(VerifyRegistration(framed, a.AttestationObject(kRpId), Expect("chal-1")).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(WebAuthnTest, AssertionChecksFailOneByOne) {
  SoftAuthenticator a;
  std::string jwk = Register(a).value().public_jwk;
  auto code = [](const Result<VerifiedAssertion>& r) { return r.status().code(); };
  a.counter = 5;
  EXPECT_TRUE(Check(Assert(a), jwk, 4).ok());
  EXPECT_EQ(code(Check(Assert(a, "chal-X"), jwk)), StatusCode::kInvalidArgument);
  EXPECT_EQ(code(Check(Assert(a, "chal-2", "webauthn.create"), jwk)), StatusCode::kInvalidArgument);
  EXPECT_EQ(code(Check(Assert(a, "chal-2", "webauthn.get", "https://evil.example"), jwk)),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(code(Check(Assert(a, "chal-2", "webauthn.get", kOrigin, "evil.example"), jwk)),
            StatusCode::kInvalidArgument);
  // A flipped bit anywhere in the signature, or in what was signed.
  Assertion x = Assert(a);
  x.signature[x.signature.size() / 2] ^= 0x01;
  EXPECT_EQ(code(Check(x, jwk)), StatusCode::kUnauthenticated);
  Assertion y = Assert(a);
  y.auth_data[34] ^= 0x01;  // the counter, after signing
  EXPECT_EQ(code(Check(y, jwk)), StatusCode::kUnauthenticated);
  // Another authenticator's signature.
  SoftAuthenticator other;
  EXPECT_EQ(code(Check(Assert(other), jwk)), StatusCode::kUnauthenticated);
  // The counter rule: non-zero and not increasing is a clone.
  EXPECT_EQ(code(Check(Assert(a), jwk, 5)), StatusCode::kFailedPrecondition);
  EXPECT_EQ(code(Check(Assert(a), jwk, 9)), StatusCode::kFailedPrecondition);
  a.counter = 0;
  EXPECT_TRUE(Check(Assert(a), jwk, 0).ok());  // a synced passkey keeps no count
  // User verification, when asked for.
  a.flags = 0x01;
  EXPECT_TRUE(Check(Assert(a), jwk, 0, false).ok());
  EXPECT_EQ(code(Check(Assert(a), jwk, 0, true)), StatusCode::kInvalidArgument);
  a.flags = 0x00;
  EXPECT_EQ(code(Check(Assert(a), jwk, 0, false)), StatusCode::kInvalidArgument);  // not present
}

TEST(SignCountTest, NonZeroMustIncrease) {
  EXPECT_TRUE(SignCountAcceptable(0, 0));
  EXPECT_TRUE(SignCountAcceptable(0, 1));
  EXPECT_TRUE(SignCountAcceptable(7, 8));
  EXPECT_FALSE(SignCountAcceptable(7, 7));
  EXPECT_FALSE(SignCountAcceptable(7, 0));
  EXPECT_FALSE(SignCountAcceptable(7, 3));
}

}  // namespace
}  // namespace tessera::services
