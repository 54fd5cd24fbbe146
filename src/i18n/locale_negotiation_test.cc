#include "i18n/locale_negotiation.h"

#include <gtest/gtest.h>

namespace tessera::i18n {
namespace {

TEST(LocaleNegotiationTest, MatchesByPrimaryLanguage) {
  EXPECT_EQ(MatchLocale("de"), "de");
  EXPECT_EQ(MatchLocale("de-AT"), "de");
  EXPECT_EQ(MatchLocale("ES_419"), "es");
  EXPECT_EQ(MatchLocale(" ar-EG "), "ar");
  EXPECT_EQ(MatchLocale("fr-FR"), std::nullopt);
  EXPECT_EQ(MatchLocale(""), std::nullopt);
  EXPECT_EQ(MatchLocale("*"), std::nullopt);
  EXPECT_EQ(MatchLocale("d3"), std::nullopt);
  EXPECT_EQ(MatchLocale("german"), std::nullopt);
  EXPECT_EQ(MatchLocale(std::string(100, 'a')), std::nullopt);
}

TEST(LocaleNegotiationTest, UiLocalesThenUserThenBrowserThenAppThenEnglish) {
  EXPECT_EQ(NegotiateLocale({.ui_locales = "fr-CA es de", .user_locale = "de",
                             .accept_language = "ar", .app_default = "de"}), "es");
  EXPECT_EQ(NegotiateLocale({.ui_locales = "fr", .user_locale = "de-CH",
                             .accept_language = "ar", .app_default = "es"}), "de");
  EXPECT_EQ(NegotiateLocale({.user_locale = "pt", .accept_language = "ar-EG,ar;q=0.9",
                             .app_default = "es"}), "ar");
  EXPECT_EQ(NegotiateLocale({.accept_language = "fr, it;q=0.5", .app_default = "es"}), "es");
  EXPECT_EQ(NegotiateLocale({.accept_language = "fr"}), "en");
  EXPECT_EQ(NegotiateLocale({}), "en");
}

TEST(LocaleNegotiationTest, AcceptLanguageByQualityThenOrder) {
  auto pick = [](std::string_view header) { return NegotiateLocale({.accept_language = header}); };
  EXPECT_EQ(pick("fr-CH, fr;q=0.9, de;q=0.8, es;q=0.85, *;q=0.5"), "es");
  EXPECT_EQ(pick("de;q=0.5, es;q=0.5"), "de");          // a tie: the first listed
  EXPECT_EQ(pick("de;q=0, es;q=0.1"), "es");             // q=0: not acceptable
  EXPECT_EQ(pick("de;q=2, es;q=0.3"), "es");             // a malformed q is passed over
  EXPECT_EQ(pick("de;x=1, es"), "es");
  EXPECT_EQ(pick("*"), "en");
  EXPECT_EQ(pick(",,, ;q=1, de-DE ;q=0.700"), "de");
  EXPECT_EQ(pick("en-GB,en;q=0.9,de;q=0.8"), "en");
}

}  // namespace
}  // namespace tessera::i18n
