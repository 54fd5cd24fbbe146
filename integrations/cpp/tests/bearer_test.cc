#include "tessera/resource_server/bearer.h"

#include <gtest/gtest.h>

#include <vector>

#include "base64url.h"

namespace tessera::resource_server {
namespace {

TEST(BearerToken, ReadsTheToken) {
  EXPECT_EQ(BearerToken("Bearer abc.def.ghi"), "abc.def.ghi");
  EXPECT_EQ(BearerToken("bearer abc"), "abc");
  EXPECT_EQ(BearerToken("BEARER   abc"), "abc");
  EXPECT_EQ(BearerToken("Bearer a-b_c~d+e/f=="), "a-b_c~d+e/f==");
  EXPECT_EQ(BearerToken(" Bearer abc "), "abc");
}

TEST(BearerToken, RefusesEverythingElse) {
  for (const char* h : {"", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Token abc", "Bearerabc",
                        "Bearer a b", "Bearer a=b", "Bearer \"abc\"", "Bearer abc,def",
                        "Bearer\tabc"}) {
    EXPECT_FALSE(BearerToken(h).has_value()) << h;
  }
}

TEST(WwwAuthenticate, Rfc6750Forms) {
  EXPECT_EQ(WwwAuthenticate("pocket"), "Bearer realm=\"pocket\"");
  VerifyError e{VerifyErrorCode::kExpired, "the \"token\" has expired"};
  EXPECT_EQ(WwwAuthenticate("pocket", &e),
            "Bearer realm=\"pocket\", error=\"invalid_token\", error_description=\"the token has expired\"");
  VerifyError down{VerifyErrorCode::kKeysUnavailable, "down"};
  EXPECT_EQ(WwwAuthenticate("pocket", &down), "Bearer realm=\"pocket\"");
  EXPECT_EQ(WwwAuthenticateInsufficientScope("pocket", "posts:write"),
            "Bearer realm=\"pocket\", error=\"insufficient_scope\", scope=\"posts:write\"");
}

TEST(Base64Url, StrictAndCanonical) {
  using internal::Base64UrlDecode;
  using internal::Base64UrlEncode;
  for (const std::string& s : std::vector<std::string>{"", "f", "fo", "foo", "foob", "fooba", "foobar", std::string("\xff\xfe\x00", 3)}) {
    EXPECT_EQ(Base64UrlDecode(Base64UrlEncode(s)), s);
  }
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
  EXPECT_FALSE(Base64UrlDecode("Zg=="));  // padding
  EXPECT_FALSE(Base64UrlDecode("Zm9v+"));  // not base64url
  EXPECT_FALSE(Base64UrlDecode("Z"));      // impossible length
  EXPECT_FALSE(Base64UrlDecode("Zh"));     // non-zero unused bits: "Zg" is the only form of "f"
  EXPECT_TRUE(Base64UrlDecode("Zg"));
}

}  // namespace
}  // namespace tessera::resource_server
