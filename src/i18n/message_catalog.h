// File: message_catalog.h
// What the hosted pages, the mails and their error sentences say, in each language Tessera
// speaks: message catalogues (src/i18n/locales/<locale>/<group>.json, embedded in the binary)
// of ICU MessageFormat messages, formatted by libicu.
//
//   const i18n::MessageCatalog& catalog = i18n::MessageCatalog::Embedded();  // loaded once
//   i18n::Texts t(catalog, "de", &app.settings.messages);     // a language + the app's overrides
//   std::string heading = t("login.heading", {{"app_name", "Blog"}});  // "Bei Blog anmelden"
//   std::string left = t("mfa.codes_left", {{"count", "3"}});   // plurals: numbers as digits
//
// Keys are "<group>.<name>" ([a-z0-9_]), the group being the file's name. English is the
// reference: every other locale has exactly its keys, each using the same arguments (a test
// fails otherwise, and a broken catalogue stops the server at start). A message is plain
// text (HTML-escaped where it is shown), with ICU's {name}, {n, plural, one {…} other {…}}
// and {x, select, …}; an apostrophe is literal unless it quotes a brace ("''" is always one).
// Thread-safety: everything here is const after loading and may be used from any thread.
#pragma once

#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace tessera::i18n {

// The locales there are catalogues for ("en" first: the fallback), as BCP 47 tags.
std::span<const std::string_view> SupportedLocales();
bool IsSupportedLocale(std::string_view locale);
// Arabic (and any later Hebrew, Persian …) is written right to left: <html dir="rtl">.
bool IsRightToLeft(std::string_view locale);
// The language's own name ("Deutsch"), for a language menu.
std::string_view LocaleDisplayName(std::string_view locale);

// A message's named arguments; numbers (for plurals) as decimal digits.
using MessageArgs = std::vector<std::pair<std::string, std::string>>;

// An app's own wording: locale → key → message (AppSettings::messages).
using MessageOverrides = std::map<std::string, std::map<std::string, std::string, std::less<>>, std::less<>>;

class MessageCatalog {
 public:
  // The catalogues embedded in the binary, parsed on first use; a broken one (a build-time
  // asset) aborts with its error.
  static const MessageCatalog& Embedded();

  // From JSON texts: locale → (file name → text). kInvalidArgument names the first problem.
  static Result<std::unique_ptr<MessageCatalog>> Load(
      const std::map<std::string, std::map<std::string, std::string>>& files);

  ~MessageCatalog();
  MessageCatalog(const MessageCatalog&) = delete;
  MessageCatalog& operator=(const MessageCatalog&) = delete;

  // `key` in `locale` (English when the locale or the key has none), formatted with `args`;
  // an argument not given reads as "". An unknown key comes back as itself.
  std::string Format(std::string_view locale, std::string_view key, const MessageArgs& args) const;
  bool Has(std::string_view key) const;
  // Every key, sorted; and the argument names the English message uses, sorted.
  std::vector<std::string> Keys() const;
  const std::vector<std::string>& ArgumentNames(std::string_view key) const;
  // The raw message text of `key` in `locale` ("" when none): what an app may override.
  std::string_view Source(std::string_view locale, std::string_view key) const;

 private:
  MessageCatalog();
  struct Message;
  // locale → key → message
  std::map<std::string, std::map<std::string, Message, std::less<>>, std::less<>> messages_;
};

// Whether `text` may replace `key`'s message (an app's override): it parses as an ICU
// message and uses no argument the original does not have. The problem, or OK.
Status CheckOverride(const MessageCatalog& catalog, std::string_view key, std::string_view text);

// What one response speaks: a locale of the catalogue, with an app's overrides over it.
class Texts {
 public:
  Texts(const MessageCatalog& catalog, std::string locale, const MessageOverrides* overrides = nullptr);

  std::string operator()(std::string_view key, const MessageArgs& args = {}) const;
  const std::string& locale() const { return locale_; }
  bool right_to_left() const { return IsRightToLeft(locale_); }
  const MessageCatalog& catalog() const { return catalog_; }

 private:
  const MessageCatalog& catalog_;
  std::string locale_;
  const MessageOverrides* overrides_;
};

}  // namespace tessera::i18n
