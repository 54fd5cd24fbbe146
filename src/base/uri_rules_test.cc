// The public-URL rule `serve` applies before it opens anything (RFC 9700 §4.13: no
// authorization response, password or cookie over plain http off the machine).
#include "base/uri_rules.h"

#include <gtest/gtest.h>

namespace tessera {
namespace {

TEST(PublicUrlProblem, HttpsAndLoopbackHttpAreFine) {
  EXPECT_EQ(PublicUrlProblem("https://id.example.com", false), std::nullopt);
  EXPECT_EQ(PublicUrlProblem("https://id.example.com:8443/auth", false), std::nullopt);
  EXPECT_EQ(PublicUrlProblem("https://[2001:db8::1]", false), std::nullopt);
  EXPECT_EQ(PublicUrlProblem("http://127.0.0.1:8080", false), std::nullopt);
  EXPECT_EQ(PublicUrlProblem("http://localhost:8080", false), std::nullopt);
  EXPECT_EQ(PublicUrlProblem("http://[::1]:8080", false), std::nullopt);
}

TEST(PublicUrlProblem, PlainHttpOffLoopbackNeedsTheInsecureFlag) {
  for (const char* url : {"http://id.example.com", "http://0.0.0.0:8080", "http://10.0.0.5:8080",
                          "HTTP://ID.EXAMPLE.COM"}) {
    auto problem = PublicUrlProblem(url, false);
    ASSERT_TRUE(problem.has_value()) << url;
    EXPECT_NE(problem->find("--insecure-http"), std::string::npos) << *problem;
    EXPECT_EQ(PublicUrlProblem(url, true), std::nullopt) << url;
  }
}

TEST(PublicUrlProblem, RefusesWhatCannotBeABaseUrl) {
  for (const char* url : {"", "id.example.com", "/apps", "ftp://id.example.com",
                          "https://user:pw@id.example.com", "https://id.example.com/?a=1",
                          "https://id.example.com/#x", "https://*.example.com",
                          "https://id%2eexample.com", "javascript:alert(1)"}) {
    EXPECT_TRUE(PublicUrlProblem(url, true).has_value()) << url;
  }
  EXPECT_TRUE(PublicUrlProblem("https://" + std::string(3000, 'a') + ".com", false).has_value());
}

}  // namespace
}  // namespace tessera
