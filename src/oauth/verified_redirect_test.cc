// VerifyRedirectUri on its own: the only way to a VerifiedRedirect, so the only way an
// answer can be sent by redirect. Exact strings, but for a loopback URI's port (RFC 8252 §7.3).
#include <gtest/gtest.h>

#include "base/uri_rules.h"

#include "oauth/verified_redirect.h"

namespace tessera::services {
namespace {

store::OAuthClient ClientWith(std::vector<std::string> redirect_uris) {
  store::OAuthClient c;
  c.client_id = "c";
  c.redirect_uris = std::move(redirect_uris);
  return c;
}

TEST(VerifiedRedirect, ANamedUriMustBeRegistered) {
  store::OAuthClient c = ClientWith({"https://client.example/cb", "com.example.app:/cb"});
  auto ok = VerifyRedirectUri(c, std::string("com.example.app:/cb"));
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->uri(), "com.example.app:/cb");
  EXPECT_TRUE(ok->named_in_request());

  for (const std::string& uri : std::vector<std::string>{
           "https://client.example/cb/", "https://client.example/cb?x=1", "https://client.example/cb#f",
           "https://CLIENT.example/cb", "http://client.example/cb", "https://client.example:443/cb",
           "", "https://evil.example/cb"}) {
    auto refused = VerifyRedirectUri(c, uri);
    ASSERT_FALSE(refused.ok()) << uri;
    EXPECT_EQ(refused.error().code, "invalid_request");
    EXPECT_EQ(refused.error().description, "The redirect_uri is not registered for this application.");
  }
}

TEST(VerifiedRedirect, LeftOutOnlyWithOneRegistered) {
  auto one = VerifyRedirectUri(ClientWith({"https://client.example/cb"}), std::nullopt);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->uri(), "https://client.example/cb");
  EXPECT_FALSE(one->named_in_request());  // so the token request need not repeat it

  for (auto uris : std::vector<std::vector<std::string>>{{}, {"https://a.example/cb", "https://b.example/cb"}}) {
    auto refused = VerifyRedirectUri(ClientWith(uris), std::nullopt);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().description, "The request has no redirect_uri.");
  }
}

// OIDC Core §3.1.2.1: redirect_uri is REQUIRED in an OpenID Connect request, even when the
// client registered only one (plain OAuth may leave it out then).
TEST(VerifiedRedirect, AnOpenIdRequestMustNameIt) {
  auto refused = VerifyRedirectUri(ClientWith({"https://client.example/cb"}), std::nullopt,
                                   RedirectUriRule::kOpenId);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "invalid_request");
  EXPECT_EQ(refused.error().description,
            "The request has no redirect_uri; OpenID Connect requests must name one.");
  auto named = VerifyRedirectUri(ClientWith({"https://client.example/cb"}),
                                 std::string("https://client.example/cb"), RedirectUriRule::kOpenId);
  ASSERT_TRUE(named.ok());
  EXPECT_TRUE(named->named_in_request());
}

// Redirect URIs are exact strings: a "*" host (a pattern), userinfo or escapes cannot be
// registered (RFC 9700 §2.1).
TEST(VerifiedRedirect, RegistrationRefusesPatternsAndUserinfo) {
  EXPECT_TRUE(IsValidRedirectUri("https://app.example/cb"));
  EXPECT_TRUE(IsValidRedirectUri("https://[2001:db8::1]:8443/cb"));
  for (std::string_view bad : {"https://*.example.com/cb", "https://*/cb", "https://a*.example/cb",
                               "https://user@app.example/cb", "https://app%2eexample/cb",
                               "https:///cb", "http://app.example/cb"}) {
    EXPECT_FALSE(IsValidRedirectUri(bad)) << bad;
  }
}

TEST(VerifiedRedirect, LoopbackKeepsThePortItCameWith) {
  store::OAuthClient c = ClientWith({"http://127.0.0.1/cb", "http://[::1]/cb"});
  auto v4 = VerifyRedirectUri(c, std::string("http://127.0.0.1:51234/cb"));
  ASSERT_TRUE(v4.ok());
  EXPECT_EQ(v4->uri(), "http://127.0.0.1:51234/cb");
  EXPECT_TRUE(VerifyRedirectUri(c, std::string("http://[::1]:8080/cb")).ok());
  EXPECT_FALSE(VerifyRedirectUri(c, std::string("http://localhost:51234/cb")).ok());
  EXPECT_FALSE(VerifyRedirectUri(c, std::string("https://127.0.0.1:51234/cb")).ok());

  EXPECT_TRUE(RedirectUriMatches("http://localhost:3000/cb", "http://localhost:4000/cb"));
  EXPECT_FALSE(RedirectUriMatches("https://client.example/cb", "https://client.example:444/cb"));
  EXPECT_FALSE(RedirectUriMatches("http://127.0.0.1/cb?a=1", "http://127.0.0.1:9/cb?a=2"));
}

}  // namespace
}  // namespace tessera::services
