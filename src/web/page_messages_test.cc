// Every message a hosted page or a mail mentions ({{t.<group>.<name>}}) is in the catalogue:
// a template that names a key no language has would show the key itself.
#include <gtest/gtest.h>

#include <string>

#include "email_flows/embedded_templates.h"
#include "i18n/message_catalog.h"
#include "web/embedded_assets.h"
#include "web/service_messages.h"

namespace tessera::web {
namespace {

std::vector<std::string> KeysIn(std::string_view text) {
  std::vector<std::string> keys;
  for (size_t pos = 0; (pos = text.find("{{", pos)) != std::string_view::npos; pos += 2) {
    size_t start = pos + 2;
    while (start < text.size() && (text[start] == '{' || text[start] == ' ')) ++start;
    size_t close = text.find("}}", start);
    if (close == std::string_view::npos) break;
    std::string_view name = text.substr(start, close - start);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    if (name.starts_with("t.")) keys.emplace_back(name.substr(2));
  }
  return keys;
}

TEST(PageMessagesTest, EveryMessageATemplateNamesIsInTheCatalogue) {
  const auto& catalog = i18n::MessageCatalog::Embedded();
  size_t mentioned = 0;
  for (const auto& [file, text] : EmbeddedWebAssets()) {
    for (const auto& key : KeysIn(text)) {
      ++mentioned;
      EXPECT_TRUE(catalog.Has(key)) << file << " names " << key << ", which no catalogue has";
    }
  }
  for (const auto& [file, text] : mail::EmbeddedMailTemplates()) {
    for (const auto& key : KeysIn(text)) {
      ++mentioned;
      EXPECT_TRUE(catalog.Has(key)) << file << " names " << key << ", which no catalogue has";
    }
  }
  EXPECT_GT(mentioned, 100u);
}

// The services' English sentences a page shows, in the page's language; anything the catalogue
// does not know (an upstream provider's words) as it is.
TEST(PageMessagesTest, ServiceSentencesAreTranslatedOrKept) {
  const auto& catalog = i18n::MessageCatalog::Embedded();
  for (std::string_view key : ServiceTextKeys()) {
    EXPECT_TRUE(catalog.Has(key)) << key << " is used by ServiceText but in no catalogue";
  }
  const i18n::Texts en(catalog, "en"), de(catalog, "de"), ar(catalog, "ar");
  for (std::string_view english : {"invalid credentials", "This link has expired.",
                                   "must be at least 10 characters",
                                   "This link has expired. Ask for a new password reset link."}) {
    EXPECT_EQ(ServiceText(en, english), english);
    EXPECT_NE(ServiceText(de, english), english) << english;
    EXPECT_NE(ServiceText(ar, english), english) << english;
  }
  EXPECT_NE(ServiceText(de, "must be at least 10 characters").find("10"), std::string::npos);
  EXPECT_EQ(ServiceText(de, "the provider said: <b>nope</b>"), "the provider said: <b>nope</b>");
  EXPECT_EQ(ServiceText(de, ""), "");
}

TEST(PageMessagesTest, TheLoginPageSpeaksEachLanguage) {
  const auto& catalog = i18n::MessageCatalog::Embedded();
  // The same message in each language differs from English (translated, not copied).
  for (std::string_view locale : {"de", "es", "ar"}) {
    i18n::Texts t(catalog, std::string(locale));
    EXPECT_NE(t("login.submit"), i18n::Texts(catalog, "en")("login.submit")) << locale;
  }
}

}  // namespace
}  // namespace tessera::web
