#include "i18n/message_catalog.h"

#include <unicode/msgfmt.h>
#include <unicode/messagepattern.h>
#include <unicode/unistr.h>

#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <set>

#include "i18n/embedded_catalogues.h"

namespace tessera::i18n {
namespace {

constexpr std::array<std::string_view, 4> kLocales = {"en", "de", "es", "ar"};
constexpr std::array<std::string_view, 4> kLocaleNames = {"English", "Deutsch", "Español",
                                                          "العربية"};
constexpr std::string_view kReference = "en";
// An app's wording of one message: enough for a paragraph, not for a page.
constexpr size_t kMaxOverrideBytes = 2000;

bool IsNameChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }

// "<group>.<name>", both [a-z0-9_]+.
bool IsKey(std::string_view key, std::string_view group) {
  if (key.size() <= group.size() + 1 || !key.starts_with(group) || key[group.size()] != '.') {
    return false;
  }
  return std::all_of(key.begin() + static_cast<long>(group.size()) + 1, key.end(), IsNameChar) &&
         std::all_of(group.begin(), group.end(), IsNameChar);
}

// The ICU locale a message is formatted in. Numbers are written in Latin digits in every
// language: codes, times and addresses on the same pages are, and a sentence mixing
// Arabic-Indic digits (ICU's default for "ar") with them reads badly.
icu::Locale IcuLocale(std::string_view locale) {
  return icu::Locale((std::string(locale) + "@numbers=latn").c_str());
}

std::string ToUtf8(const icu::UnicodeString& s) {
  std::string out;
  s.toUTF8String(out);
  return out;
}

// What a parsed message needs at format time: its arguments, and which of them are numbers
// (plural, selectordinal, number): those are passed to ICU as numbers.
struct Parsed {
  std::vector<std::string> arguments;  // sorted, unique
  std::set<std::string, std::less<>> numeric;
};

Result<Parsed> ParseMessage(std::string_view locale, std::string_view text) {
  UErrorCode status = U_ZERO_ERROR;
  UParseError where{};
  icu::MessagePattern pattern(icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(),
                                                                              static_cast<int32_t>(text.size()))),
                              &where, status);
  if (U_FAILURE(status)) {
    return InvalidArgumentError("not an ICU message (" + std::string(u_errorName(status)) +
                                " at offset " + std::to_string(where.offset) + ")");
  }
  // A named argument only: MessageFormat is called with names, never with numbers.
  Parsed parsed;
  std::set<std::string> names;
  const int32_t count = pattern.countParts();
  for (int32_t i = 0; i < count; ++i) {
    const icu::MessagePattern::Part& part = pattern.getPart(i);
    if (part.getType() == UMSGPAT_PART_TYPE_ARG_NUMBER) {
      return InvalidArgumentError("numbered arguments ({0}) are not allowed: name them");
    }
    if (part.getType() != UMSGPAT_PART_TYPE_ARG_NAME) continue;
    std::string name = ToUtf8(pattern.getSubstring(part));
    const icu::MessagePattern::Part& start = pattern.getPart(i - 1);
    const UMessagePatternArgType type = start.getArgType();
    if (type == UMSGPAT_ARG_TYPE_PLURAL || type == UMSGPAT_ARG_TYPE_SELECTORDINAL ||
        type == UMSGPAT_ARG_TYPE_CHOICE) {
      parsed.numeric.insert(name);
    } else if (type == UMSGPAT_ARG_TYPE_SIMPLE) {
      // {n, number}: the type name follows the argument name.
      if (i + 1 < count && pattern.getPart(i + 1).getType() == UMSGPAT_PART_TYPE_ARG_TYPE &&
          ToUtf8(pattern.getSubstring(pattern.getPart(i + 1))) == "number") {
        parsed.numeric.insert(name);
      }
    }
    names.insert(std::move(name));
  }
  // The full check: MessageFormat also builds the plural rules and sub-formats.
  icu::MessageFormat check(pattern.getPatternString(), IcuLocale(locale),
                           where, status);
  if (U_FAILURE(status)) {
    return InvalidArgumentError("not an ICU message (" + std::string(u_errorName(status)) + ")");
  }
  parsed.arguments.assign(names.begin(), names.end());
  return parsed;
}

// Decimal digits (an optional '-'), small enough for int64: a number for ICU.
std::optional<int64_t> Number(std::string_view s) {
  if (s.empty() || s.size() > 18) return std::nullopt;
  size_t i = s[0] == '-' ? 1 : 0;
  if (i == s.size()) return std::nullopt;
  int64_t n = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    n = n * 10 + (s[i] - '0');
  }
  return s[0] == '-' ? -n : n;
}

std::string FormatText(std::string_view locale, std::string_view text, const Parsed& parsed,
                       const MessageArgs& args) {
  std::vector<icu::UnicodeString> names;
  std::vector<icu::Formattable> values;
  names.reserve(parsed.arguments.size());
  values.reserve(parsed.arguments.size());
  for (const auto& name : parsed.arguments) {
    std::string_view value;
    for (const auto& [n, v] : args) {
      if (n == name) {
        value = v;
        break;
      }
    }
    names.emplace_back(icu::UnicodeString::fromUTF8(name));
    if (parsed.numeric.contains(name)) {
      // A plural's count is the server's number; anything else counts as 0 rather than
      // failing the whole message.
      values.emplace_back(static_cast<int64_t>(Number(value).value_or(0)));
    } else if (IsRightToLeft(locale) && !value.empty()) {
      // An app's or a person's name, an address, a URL are mostly left to right: isolated
      // (U+2068 FIRST STRONG ISOLATE … U+2069 POP DIRECTIONAL ISOLATE), so the bidi
      // algorithm neither reorders them nor lets them reorder the sentence around them.
      std::string isolated = "\u2068" + std::string(value) + "\u2069";
      values.emplace_back(icu::UnicodeString::fromUTF8(isolated));
    } else {
      values.emplace_back(icu::UnicodeString::fromUTF8(
          icu::StringPiece(value.data(), static_cast<int32_t>(value.size()))));
    }
  }
  UErrorCode status = U_ZERO_ERROR;
  UParseError where{};
  // A MessageFormat per call: its format() is not safe to share between threads (it builds
  // plural rules lazily), and parsing a short message costs microseconds.
  icu::MessageFormat format(
      icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), static_cast<int32_t>(text.size()))),
      IcuLocale(locale), where, status);
  icu::UnicodeString out;
  if (U_SUCCESS(status)) {
    format.format(names.data(), values.data(), static_cast<int32_t>(names.size()), out, status);
  }
  if (U_FAILURE(status)) return std::string(text);  // checked at load: cannot happen
  return ToUtf8(out);
}

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "tessera: broken embedded message catalogue: %s\n", message.c_str());
  std::abort();
}

}  // namespace

struct MessageCatalog::Message {
  std::string text;
  Parsed parsed;
  std::optional<std::string> fixed;  // the text formatted once, when it has no argument
};

std::span<const std::string_view> SupportedLocales() { return kLocales; }

bool IsSupportedLocale(std::string_view locale) {
  return std::find(kLocales.begin(), kLocales.end(), locale) != kLocales.end();
}

bool IsRightToLeft(std::string_view locale) {
  return locale == "ar" || locale.starts_with("ar-") || locale == "he" || locale == "fa";
}

std::string_view LocaleDisplayName(std::string_view locale) {
  for (size_t i = 0; i < kLocales.size(); ++i) {
    if (kLocales[i] == locale) return kLocaleNames[i];
  }
  return locale;
}

MessageCatalog::MessageCatalog() = default;
MessageCatalog::~MessageCatalog() = default;

const MessageCatalog& MessageCatalog::Embedded() {
  static const MessageCatalog* const catalog = [] {
    std::map<std::string, std::map<std::string, std::string>> files;
    for (const auto& f : EmbeddedCatalogueFiles()) {
      files[std::string(f.locale)][std::string(f.file)] = std::string(f.text);
    }
    auto loaded = Load(files);
    if (!loaded.ok()) Die(loaded.status().message());
    return loaded->release();
  }();
  return *catalog;
}

Result<std::unique_ptr<MessageCatalog>> MessageCatalog::Load(
    const std::map<std::string, std::map<std::string, std::string>>& files) {
  std::unique_ptr<MessageCatalog> catalog(new MessageCatalog());
  for (const auto& [locale, by_file] : files) {
    if (!IsSupportedLocale(locale)) return InvalidArgumentError("unknown locale \"" + locale + "\"");
    auto& messages = catalog->messages_[locale];
    for (const auto& [file, text] : by_file) {
      const std::string where = locale + "/" + file;
      if (!file.ends_with(".json")) return InvalidArgumentError(where + ": not a .json file");
      const std::string group = file.substr(0, file.size() - 5);
      boost::system::error_code ec;
      boost::json::value v = boost::json::parse(text, ec);
      if (ec || !v.is_object()) return InvalidArgumentError(where + ": not a JSON object");
      for (const auto& [k, m] : v.as_object()) {
        const std::string key(k);
        if (!IsKey(key, group)) {
          return InvalidArgumentError(where + ": \"" + key + "\" is not \"" + group + ".<name>\"");
        }
        if (!m.is_string()) return InvalidArgumentError(where + ": " + key + " is not a string");
        Message message{std::string(m.as_string()), {}, std::nullopt};
        auto parsed = ParseMessage(locale, message.text);
        if (!parsed.ok()) return InvalidArgumentError(where + ": " + key + ": " + parsed.status().message());
        message.parsed = std::move(*parsed);
        if (message.parsed.arguments.empty()) {
          message.fixed = FormatText(locale, message.text, message.parsed, {});
        }
        if (!messages.emplace(key, std::move(message)).second) {
          return InvalidArgumentError(where + ": " + key + " twice");
        }
      }
    }
  }
  auto reference = catalog->messages_.find(kReference);
  if (reference == catalog->messages_.end()) return InvalidArgumentError("no English catalogue");
  // Every language says everything English says, with the same arguments, and nothing else.
  for (const auto& [locale, messages] : catalog->messages_) {
    for (const auto& [key, message] : reference->second) {
      auto it = messages.find(key);
      if (it == messages.end()) return InvalidArgumentError(locale + ": " + key + " is missing");
      if (it->second.parsed.arguments != message.parsed.arguments) {
        return InvalidArgumentError(locale + ": " + key + " has other arguments than in English");
      }
    }
    for (const auto& [key, message] : messages) {
      if (!reference->second.contains(key)) {
        return InvalidArgumentError(locale + ": " + key + " is not in the English catalogue");
      }
    }
  }
  return catalog;
}

std::string MessageCatalog::Format(std::string_view locale, std::string_view key,
                                   const MessageArgs& args) const {
  auto in = messages_.find(locale);
  if (in == messages_.end()) in = messages_.find(kReference);
  auto it = in->second.find(key);
  if (it == in->second.end()) return std::string(key);
  const Message& m = it->second;
  if (m.fixed) return *m.fixed;
  return FormatText(in->first, m.text, m.parsed, args);
}

bool MessageCatalog::Has(std::string_view key) const {
  return messages_.find(kReference)->second.contains(key);
}

std::vector<std::string> MessageCatalog::Keys() const {
  std::vector<std::string> keys;
  for (const auto& [key, _] : messages_.find(kReference)->second) keys.push_back(key);
  return keys;
}

const std::vector<std::string>& MessageCatalog::ArgumentNames(std::string_view key) const {
  static const std::vector<std::string> kNone;
  const auto& reference = messages_.find(kReference)->second;
  auto it = reference.find(key);
  return it == reference.end() ? kNone : it->second.parsed.arguments;
}

std::string_view MessageCatalog::Source(std::string_view locale, std::string_view key) const {
  auto in = messages_.find(locale);
  if (in == messages_.end()) return {};
  auto it = in->second.find(key);
  return it == in->second.end() ? std::string_view() : std::string_view(it->second.text);
}

Status CheckOverride(const MessageCatalog& catalog, std::string_view key, std::string_view text) {
  if (!catalog.Has(key)) return InvalidArgumentError("no message \"" + std::string(key) + "\"");
  if (text.empty()) return InvalidArgumentError("the message is empty");
  if (text.size() > kMaxOverrideBytes) {
    return InvalidArgumentError("longer than " + std::to_string(kMaxOverrideBytes) + " bytes");
  }
  auto parsed = ParseMessage(kReference, text);
  if (!parsed.ok()) return parsed.status();
  const auto& allowed = catalog.ArgumentNames(key);
  for (const auto& name : parsed->arguments) {
    if (!std::binary_search(allowed.begin(), allowed.end(), name)) {
      return InvalidArgumentError("{" + name + "} is not an argument of this message" +
                                  (allowed.empty() ? std::string(" (it has none)") : ""));
    }
  }
  return OkStatus();
}

Texts::Texts(const MessageCatalog& catalog, std::string locale, const MessageOverrides* overrides)
    : catalog_(catalog),
      locale_(IsSupportedLocale(locale) ? std::move(locale) : std::string(kReference)),
      overrides_(overrides) {}

std::string Texts::operator()(std::string_view key, const MessageArgs& args) const {
  if (overrides_ && !overrides_->empty()) {
    if (auto in = overrides_->find(locale_); in != overrides_->end()) {
      if (auto it = in->second.find(key); it != in->second.end()) {
        // Checked when the app saved it; parsed again here (overrides are few and short).
        if (auto parsed = ParseMessage(locale_, it->second); parsed.ok()) {
          return FormatText(locale_, it->second, *parsed, args);
        }
      }
    }
  }
  return catalog_.Format(locale_, key, args);
}

}  // namespace tessera::i18n
