#include "i18n/message_catalog.h"

#include <gtest/gtest.h>

#include "i18n/embedded_catalogues.h"

namespace tessera::i18n {
namespace {

using Files = std::map<std::string, std::map<std::string, std::string>>;

Files Sample() {
  return {{"en", {{"demo.json", R"({"demo.hello": "Sign in to {app_name}",
      "demo.codes": "{count, plural, one {# code left} other {# codes left}}",
      "demo.plain": "Don't panic: '{' is a brace"})"}}},
          {"de", {{"demo.json", R"({"demo.hello": "Bei {app_name} anmelden",
      "demo.codes": "{count, plural, one {# Code übrig} other {# Codes übrig}}",
      "demo.plain": "Keine Panik"})"}}},
          {"ar", {{"demo.json", R"({"demo.hello": "تسجيل الدخول إلى {app_name}",
      "demo.codes": "{count, plural, zero {لا رموز} one {رمز واحد} two {رمزان} few {# رموز} many {# رمزًا} other {# رمز}}",
      "demo.plain": "لا داعي للذعر"})"}}}};
}

std::unique_ptr<MessageCatalog> MustLoad(const Files& files) {
  auto loaded = MessageCatalog::Load(files);
  EXPECT_TRUE(loaded.ok()) << loaded.status().ToString();
  return loaded.ok() ? std::move(*loaded) : nullptr;
}

TEST(MessageCatalogTest, FormatsArgumentsPluralsAndQuotesPerLanguage) {
  auto catalog = MustLoad(Sample());
  ASSERT_TRUE(catalog);
  EXPECT_EQ(catalog->Format("en", "demo.hello", {{"app_name", "Blog"}}), "Sign in to Blog");
  EXPECT_EQ(catalog->Format("de", "demo.hello", {{"app_name", "Blog"}}), "Bei Blog anmelden");
  EXPECT_EQ(catalog->Format("en", "demo.codes", {{"count", "1"}}), "1 code left");
  EXPECT_EQ(catalog->Format("en", "demo.codes", {{"count", "7"}}), "7 codes left");
  EXPECT_EQ(catalog->Format("de", "demo.codes", {{"count", "2"}}), "2 Codes übrig");
  // Arabic has six plural categories.
  EXPECT_EQ(catalog->Format("ar", "demo.codes", {{"count", "0"}}), "لا رموز");
  EXPECT_EQ(catalog->Format("ar", "demo.codes", {{"count", "2"}}), "رمزان");
  EXPECT_NE(catalog->Format("ar", "demo.codes", {{"count", "3"}}).find("رموز"), std::string::npos);
  // Right to left: a name is isolated, so the bidi algorithm cannot reorder it with the
  // sentence; numbers are Latin digits, as the codes and times beside them.
  EXPECT_EQ(catalog->Format("ar", "demo.hello", {{"app_name", "My App-2"}}),
            "تسجيل الدخول إلى \u2068My App-2\u2069");
  EXPECT_EQ(catalog->Format("ar", "demo.codes", {{"count", "11"}}), "11 رمزًا");
  // A count that is not a number counts as 0: the message still reads, never as its pattern.
  EXPECT_EQ(catalog->Format("en", "demo.codes", {{"count", "many"}}), "0 codes left");
  EXPECT_EQ(catalog->Format("en", "demo.codes", {}), "0 codes left");
  // An apostrophe is literal; one around a brace quotes it.
  EXPECT_EQ(catalog->Format("en", "demo.plain", {}), "Don't panic: { is a brace");
  // An unsupported locale speaks English; an unknown key is shown as itself.
  EXPECT_EQ(catalog->Format("fr", "demo.hello", {{"app_name", "X"}}), "Sign in to X");
  EXPECT_EQ(catalog->Format("en", "demo.nope", {}), "demo.nope");
  // Argument values are text, never a pattern.
  EXPECT_EQ(catalog->Format("en", "demo.hello", {{"app_name", "{count} <b>'"}}), "Sign in to {count} <b>'");
  EXPECT_EQ((catalog->ArgumentNames("demo.hello")), std::vector<std::string>{"app_name"});
}

TEST(MessageCatalogTest, RefusesACatalogueThatMissesAKeyOrChangesArguments) {
  Files missing = Sample();
  missing["de"]["demo.json"] = R"({"demo.hello": "Bei {app_name} anmelden", "demo.plain": "x"})";
  auto loaded = MessageCatalog::Load(missing);
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.status().message().find("de: demo.codes is missing"), std::string::npos);

  Files other_args = Sample();
  other_args["de"]["demo.json"] = R"({"demo.hello": "Bei {app} anmelden", "demo.codes": "{count, plural, other {#}}", "demo.plain": "x"})";
  loaded = MessageCatalog::Load(other_args);
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.status().message().find("other arguments"), std::string::npos);

  Files extra = Sample();
  extra["de"]["extra.json"] = R"({"extra.only_german": "nur hier"})";
  EXPECT_FALSE(MessageCatalog::Load(extra).ok());

  Files broken = Sample();
  broken["en"]["demo.json"] = R"({"demo.hello": "Sign in to {app_name", "demo.codes": "x", "demo.plain": "y"})";
  EXPECT_FALSE(MessageCatalog::Load(broken).ok());

  Files wrong_group = Sample();
  wrong_group["en"]["other.json"] = R"({"demo.stray": "in the wrong file"})";
  EXPECT_FALSE(MessageCatalog::Load(wrong_group).ok());

  Files numbered = Sample();
  numbered["en"]["num.json"] = R"({"num.x": "{0} items"})";
  EXPECT_FALSE(MessageCatalog::Load(numbered).ok());

  EXPECT_FALSE(MessageCatalog::Load({{"xx", {{"demo.json", "{}"}}}}).ok());
  EXPECT_FALSE(MessageCatalog::Load({{"en", {{"demo.json", "[1]"}}}}).ok());
}

TEST(MessageCatalogTest, OverridesReplaceOneLanguageAndAreChecked) {
  auto catalog = MustLoad(Sample());
  ASSERT_TRUE(catalog);
  MessageOverrides overrides{{"de", {{"demo.hello", "Willkommen bei {app_name}"}}}};
  Texts de(*catalog, "de", &overrides);
  EXPECT_EQ(de("demo.hello", {{"app_name", "Blog"}}), "Willkommen bei Blog");
  EXPECT_EQ(de("demo.codes", {{"count", "1"}}), "1 Code übrig");
  Texts en(*catalog, "en", &overrides);
  EXPECT_EQ(en("demo.hello", {{"app_name", "Blog"}}), "Sign in to Blog");
  EXPECT_EQ(Texts(*catalog, "zz").locale(), "en");
  EXPECT_TRUE(Texts(*catalog, "ar").right_to_left());
  EXPECT_FALSE(de.right_to_left());

  EXPECT_TRUE(CheckOverride(*catalog, "demo.hello", "Hi {app_name}!").ok());
  EXPECT_TRUE(CheckOverride(*catalog, "demo.hello", "Hi there").ok());
  EXPECT_FALSE(CheckOverride(*catalog, "demo.hello", "Hi {user}").ok());       // unknown argument
  EXPECT_FALSE(CheckOverride(*catalog, "demo.hello", "Hi {app_name").ok());    // not ICU
  EXPECT_FALSE(CheckOverride(*catalog, "demo.nope", "x").ok());                // no such key
  EXPECT_FALSE(CheckOverride(*catalog, "demo.hello", "").ok());
  EXPECT_FALSE(CheckOverride(*catalog, "demo.hello", std::string(2001, 'a')).ok());
}

// The shipped catalogues: every language has every English key, with the same arguments,
// and every message parses (MessageCatalog::Load's checks, on the embedded files).
TEST(EmbeddedCataloguesTest, EveryLanguageHasEveryKeyWithTheSameArguments) {
  Files files;
  for (const auto& f : EmbeddedCatalogueFiles()) {
    files[std::string(f.locale)][std::string(f.file)] = std::string(f.text);
  }
  for (std::string_view locale : SupportedLocales()) {
    EXPECT_TRUE(files.contains(std::string(locale))) << "no catalogue for " << locale;
    EXPECT_EQ(files[std::string(locale)].size(), files["en"].size()) << locale << ": other files than en";
  }
  auto loaded = MessageCatalog::Load(files);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_GT((*loaded)->Keys().size(), 100u);
  // Translated, not copied: most messages differ from the English one.
  for (std::string_view locale : {"de", "es", "ar"}) {
    size_t same = 0, total = 0;
    for (const auto& key : (*loaded)->Keys()) {
      ++total;
      if ((*loaded)->Source(locale, key) == (*loaded)->Source("en", key)) ++same;
    }
    EXPECT_LT(same * 10, total) << locale << ": " << same << " of " << total << " messages are the English text";
  }
}

}  // namespace
}  // namespace tessera::i18n
