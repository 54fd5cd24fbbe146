// The hosted pages' small rules: the return_to guard, the accent colour's stylesheet and
// how a failed service call reads on a page.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "tests/support/service_stack.h"
#include "web/accent_colors.h"
#include "web/display_text.h"
#include "web/page_errors.h"
#include "web/return_to.h"

namespace tessera::web {
namespace {

class ReturnToTest : public ::testing::Test, protected services::testing_support::ServiceStack {
 protected:
  void SetUp() override {
    Build();
    urls_ = std::make_unique<PageUrls>(*apps_);
  }
  std::unique_ptr<PageUrls> urls_;
};

TEST_F(ReturnToTest, OnlyPagesOfTheSameAppGetThrough) {
  for (std::string ok :
       {"/apps/default/account", "/apps/default/oauth/authorize?client_id=x&a=%2F"}) {
    EXPECT_EQ(SafeReturnTo(*urls_, app_, ok), ok);
  }
  const std::vector<std::string> refused = {"https://evil.example/apps/default/account",
                                            "//evil.example/",
                                            "/apps/other/account",
                                            "/apps/defaultx/account",
                                            "/console",
                                            "/apps/default/../other/account",
                                            "/apps/default//evil.example",
                                            "/apps/default/%2e%2e/other",
                                            "/apps/default/%2E%2E/other",
                                            "/apps/default/a b",
                                            "/apps/default/a\r\nSet-Cookie: x",
                                            "/apps/default/a\\b",
                                            "",
                                            "/apps/default/" + std::string(4100, 'a')};
  for (const std::string& bad : refused) {
    EXPECT_EQ(SafeReturnTo(*urls_, app_, bad), "") << bad;
  }
}

TEST_F(ReturnToTest, TheConsoleAppAlsoLeadsBackToTheConsoles) {
  for (std::string ok :
       {"/console", "/console/apps/x?done=1", "/admin", "/admin/audit", "/apps/console/account"}) {
    EXPECT_EQ(SafeReturnTo(*urls_, console_app_, ok), ok);
  }
  for (std::string bad : {"/consoles", "/administrator", "/console/../apps/default/account"}) {
    EXPECT_EQ(SafeReturnTo(*urls_, console_app_, bad), "") << bad;
  }
  EXPECT_EQ(SafeReturnTo(*urls_, app_, "/console"), "");  // only for the console app
}

TEST(AccentColors, OnlyHexColoursAndReadableText) {
  for (std::string ok : {"#4f46e5", "#FFFFFF", "#000000"}) EXPECT_TRUE(IsHexColor(ok)) << ok;
  for (std::string bad : {"4f46e5", "#4f46e", "#4f46e5ff", "red", "#gggggg", "#4f46e5;}"}) {
    EXPECT_FALSE(IsHexColor(bad)) << bad;
  }
  // A dark accent takes white text and is dark enough for links on the light card only.
  std::string indigo = AccentStylesheet("#312e81");
  EXPECT_NE(indigo.find("--on-primary: #ffffff;"), std::string::npos);
  EXPECT_NE(indigo.find("--primary: #312e81;"), std::string::npos);
  size_t dark = indigo.find("prefers-color-scheme: dark");
  ASSERT_NE(dark, std::string::npos);
  EXPECT_LT(indigo.find("--link: #312e81;"), dark);
  EXPECT_EQ(indigo.find("--link:", dark), std::string::npos);
  // A light accent takes black text, and links keep Tessera's colour on the light card.
  std::string yellow = AccentStylesheet("#fde047");
  EXPECT_NE(yellow.find("--on-primary: #000000;"), std::string::npos);
  EXPECT_GT(yellow.find("--link:"), yellow.find("prefers-color-scheme: dark"));
}

// Issue 13, item 8: what a service says reads as a sentence on a page.
TEST(DisplayText, ServiceMessagesAsSentences) {
  EXPECT_EQ(Sentence("invalid or expired code"), "Invalid or expired code.");
  EXPECT_EQ(Sentence("That code is not right."), "That code is not right.");
  EXPECT_EQ(Sentence(""), "");
  EXPECT_EQ(FieldSentence("Email", "is already registered"), "Email is already registered.");
  EXPECT_EQ(FieldSentence("Website", "must be a web address, like https://example.com"),
            "Website must be a web address, like https://example.com.");
}

TEST(PageErrors, EachCodeHasOneStatusAnd5xxHideTheirDetail) {
  struct Case {
    Status status;
    unsigned http;
  };
  for (const Case& c :
       {Case{ValidationError({{"email", "is required"}}), 400},
        Case{UnauthenticatedError("no"), 401}, Case{PermissionDeniedError("closed"), 403},
        Case{NotFoundError("x"), 404}, Case{AlreadyExistsError("taken"), 409},
        Case{FailedPreconditionError("state"), 409}, Case{RateLimitedError("slow down", 30), 429},
        Case{ResourceExhaustedError("busy"), 503}, Case{UnavailableError("db down"), 503},
        Case{InternalError("sqlite: no such table"), 503}}) {
    PageFailure f = PageFailureOf(c.status, EnglishTexts());
    EXPECT_EQ(f.status, c.http) << c.status.ToString();
    if (c.http >= 500) {
      EXPECT_EQ(f.message, "Please try again in a moment.");
      EXPECT_TRUE(f.unavailable());
    } else {
      EXPECT_EQ(f.message, c.status.message());
    }
  }
  http::Response limited =
      WithRetryAfter(http::Response{429, "", "", {}}, RateLimitedError("slow down", 30));
  ASSERT_EQ(limited.headers.size(), 1u);
  EXPECT_EQ(limited.headers[0], (std::pair<std::string, std::string>{"Retry-After", "30"}));
  EXPECT_TRUE(WithRetryAfter(http::Response{}, NotFoundError("x")).headers.empty());
}

TEST(PageErrors, RefusalSentences) {
  Status fields = ValidationError({{"slug", "is taken"}, {"owner", "is odd"}});
  const i18n::Texts en = EnglishTexts();
  EXPECT_EQ(RefusalSentence(en, "The app was not created", fields, {}),
            "The app was not created: please check the highlighted fields.");
  EXPECT_EQ(RefusalSentence(en, "The app was not created", fields, {"owner: is odd"}),
            "The app was not created: owner: is odd.");
  EXPECT_EQ(RefusalSentence(en, "The app was not created",
                            FailedPreconditionError("a developer may have at most 100 apps"), {}),
            "The app was not created: a developer may have at most 100 apps.");
  // In another language: the sentences around the service's words, and the words it knows.
  const i18n::Texts de(i18n::MessageCatalog::Embedded(), "de");
  EXPECT_NE(PageFailureOf(InternalError("x"), de).message, "Please try again in a moment.");
  EXPECT_NE(RefusalSentence(de, "X", fields, {}), "X: please check the highlighted fields.");
}

}  // namespace
}  // namespace tessera::web
