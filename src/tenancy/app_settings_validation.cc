#include "tenancy/app_settings_validation.h"

#include <algorithm>
#include <boost/url/parse.hpp>

#include "mail/mime_message.h"
#include "accounts/password_policy.h"
#include "base/uri_rules.h"
#include "crypto/encoding.h"
#include "i18n/message_catalog.h"

namespace tessera::services {
namespace {

bool IsHexColor(std::string_view c) {
  if (c.size() != 7 || c[0] != '#') return false;
  for (char ch : c.substr(1)) {
    bool hex = (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
    if (!hex) return false;
  }
  return true;
}

bool LengthBetween(std::string_view text, size_t lo, size_t hi) {
  auto n = Utf8Length(text);
  return n && *n >= lo && *n <= hi;
}

}  // namespace

bool IsValidPasskeyOrigin(std::string_view origin) {
  constexpr std::string_view kAndroid = "android:apk-key-hash:";
  if (origin.starts_with(kAndroid)) {
    std::string_view hash = origin.substr(kAndroid.size());
    auto digest = crypto::Base64UrlDecode(hash);  // a SHA-256, unpadded base64url
    return hash.size() == 43 && digest && digest->size() == 32;
  }
  if (origin.size() > 255) return false;
  auto url = boost::urls::parse_absolute_uri(origin);
  if (!url || !url->has_authority() || url->has_userinfo() || !url->encoded_path().empty() ||
      url->has_query() || url->has_fragment() || url->host().empty() ||
      (url->has_port() && url->port().empty())) {
    return false;
  }
  std::string host = url->host();
  // An origin is serialized in lower case with the default port left out: compare as sent.
  if (std::any_of(host.begin(), host.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
    return false;
  }
  if (url->scheme() == "https") return url->port() != "443";
  return url->scheme() == "http" && (host == "localhost" || host == "127.0.0.1") &&
         url->port() != "80";
}

Status ValidateAppSettings(const store::AppSettings& s) {
  std::vector<FieldError> errors;
  if (s.password_min_length != 0 && (s.password_min_length < kMinPasswordLength ||
                                     s.password_min_length > kMaxPasswordMinLength)) {
    errors.push_back({"password_min_length", "must be 0 (the server default) or 8-128"});
  }
  if (s.access_token_ttl_s != 0 && (s.access_token_ttl_s < 60 || s.access_token_ttl_s > 86400)) {
    errors.push_back({"access_token_ttl_s", "must be 0 (the server default) or 60-86400 seconds"});
  }
  if (s.refresh_token_ttl_s != 0 &&
      (s.refresh_token_ttl_s < 3600 || s.refresh_token_ttl_s > 365LL * 86400)) {
    errors.push_back(
        {"refresh_token_ttl_s", "must be 0 (the server default) or 3600-31536000 seconds"});
  }
  if (!s.display_name.empty() && !LengthBetween(s.display_name, 1, 100)) {
    errors.push_back({"display_name", "must be at most 100 characters"});
  }
  if (!s.mail_sender_name.empty() &&
      (!LengthBetween(s.mail_sender_name, 1, 100) ||
       s.mail_sender_name.find_first_of("\r\n<>\"@\\") != std::string::npos)) {
    // A name that reads as an address ("service@paypal.com") would spoof one (issue 11, item 8).
    errors.push_back({"mail_sender_name",
                      "must be at most 100 characters, without @ < > \" \\ or line breaks"});
  }
  if (!s.mail_from.empty()) {
    auto box = mail::ParseMailbox(s.mail_from);
    if (!box.ok()) {
      errors.push_back({"mail_from", "must be an address, or \"Name <address>\""});
    } else if (box->display_name.find_first_of("@<>\"\\") != std::string::npos) {
      errors.push_back({"mail_from", "the name before the address must not contain @ < > \" or \\"});
    }
  }
  if (!s.logo_url.empty() && !IsValidLogoUrl(s.logo_url)) {
    errors.push_back({"logo_url", "must be an https URL"});
  }
  if (!s.accent_color.empty() && !IsHexColor(s.accent_color)) {
    errors.push_back({"accent_color", "must be a colour like #1a73e8"});
  }
  if (s.redirect_uris.size() > kMaxAppRedirectUris) {
    errors.push_back({"redirect_uris", "at most 20"});
  }
  for (const auto& uri : s.redirect_uris) {
    if (!IsValidRedirectUri(uri)) errors.push_back({"redirect_uris", "not an allowed URI: " + uri});
  }
  if (s.passkey_origins.size() > kMaxPasskeyOrigins) {
    errors.push_back({"passkey_origins", "at most 10"});
  }
  for (const auto& origin : s.passkey_origins) {
    if (!IsValidPasskeyOrigin(origin)) {
      errors.push_back({"passkey_origins",
                        "not an origin (https://host[:port] or android:apk-key-hash:…): " + origin});
    }
  }
  if (!s.default_locale.empty() && !i18n::IsSupportedLocale(s.default_locale)) {
    errors.push_back({"default_locale", "must be one of the languages there are catalogues for (en, de, es, ar)"});
  }
  size_t overrides = 0;
  for (const auto& [locale, texts] : s.messages) {
    if (!i18n::IsSupportedLocale(locale)) {
      errors.push_back({"messages." + locale, "not a language there is a catalogue for (en, de, es, ar)"});
      continue;
    }
    for (const auto& [key, text] : texts) {
      if (++overrides > kMaxMessageOverrides) continue;
      Status ok = i18n::CheckOverride(i18n::MessageCatalog::Embedded(), key, text);
      if (!ok.ok()) errors.push_back({"messages." + locale + "." + key, ok.message()});
    }
  }
  if (overrides > kMaxMessageOverrides) {
    errors.push_back({"messages", "at most " + std::to_string(kMaxMessageOverrides) + " messages in all"});
  }
  if (!errors.empty()) return ValidationError(std::move(errors));
  return OkStatus();
}

}  // namespace tessera::services
