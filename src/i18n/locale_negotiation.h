// File: locale_negotiation.h
// Which language a page or a mail speaks, first match wins:
//   1. the OIDC request's ui_locales (space-separated, in the client's order of preference),
//   2. the signed-in (or addressed) user's saved locale (the profile's `locale` claim),
//   3. the browser's Accept-Language (RFC 9110 §12.5.4: q-values, "*" ignored),
//   4. the app's default language (AppSettings::default_locale),
//   5. English.
// Each candidate matches a supported locale by its primary language ("de-AT" → "de",
// "es_419" → "es"), case-insensitively; anything unsupported or malformed is passed over.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tessera::i18n {

struct LocaleInputs {
  std::string_view ui_locales;
  std::string_view user_locale;
  std::string_view accept_language;
  std::string_view app_default;
};

std::string NegotiateLocale(const LocaleInputs& in);

// The supported locale an Accept-Language header prefers, or "" (none supported): the hint
// of a mail asked for through the API, which has no page.
std::string PreferredLocale(std::string_view accept_language);

// The supported locale one BCP 47 tag stands for, or nullopt.
std::optional<std::string> MatchLocale(std::string_view tag);

}  // namespace tessera::i18n
