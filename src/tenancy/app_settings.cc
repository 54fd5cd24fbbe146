#include "tenancy/app_settings.h"

#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include "mail/mime_message.h"
#include "accounts/password_policy.h"
#include "base/uri_rules.h"

namespace tessera::services {
namespace json = boost::json;
namespace {

bool Bool(const json::object& o, std::string_view k, bool fallback) {
  auto* v = o.if_contains(k);
  return v && v->is_bool() ? v->as_bool() : fallback;
}

int64_t Int(const json::object& o, std::string_view k) {
  auto* v = o.if_contains(k);
  return v && v->is_int64() ? v->as_int64() : 0;
}

std::string Str(const json::object& o, std::string_view k) {
  auto* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

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

AppSettings ParseAppSettings(const std::string& text) {
  AppSettings s;
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return s;
  const json::object& o = v.as_object();
  s.allow_signup = Bool(o, "allow_signup", s.allow_signup);
  s.require_verified_email = Bool(o, "require_verified_email", s.require_verified_email);
  s.email_code_login = Bool(o, "email_code_login", s.email_code_login);
  s.magic_link_login = Bool(o, "magic_link_login", s.magic_link_login);
  s.password_min_length = static_cast<int>(Int(o, "password_min_length"));
  s.access_token_ttl_s = Int(o, "access_token_ttl_s");
  s.refresh_token_ttl_s = Int(o, "refresh_token_ttl_s");
  s.mail_from = Str(o, "mail_from");
  s.mail_sender_name = Str(o, "mail_sender_name");
  s.display_name = Str(o, "display_name");
  s.logo_url = Str(o, "logo_url");
  s.accent_color = Str(o, "accent_color");
  if (auto* r = o.if_contains("redirect_uris"); r && r->is_array()) {
    for (const auto& u : r->as_array()) {
      if (u.is_string()) s.redirect_uris.emplace_back(u.as_string());
    }
  }
  return s;
}

std::string SerializeAppSettings(const AppSettings& s) {
  json::array uris;
  for (const auto& u : s.redirect_uris) uris.emplace_back(u);
  json::object o{{"allow_signup", s.allow_signup},
                 {"require_verified_email", s.require_verified_email},
                 {"email_code_login", s.email_code_login},
                 {"magic_link_login", s.magic_link_login},
                 {"redirect_uris", uris}};
  auto put = [&o](std::string_view k, const std::string& v) {
    if (!v.empty()) o[k] = v;
  };
  auto put_int = [&o](std::string_view k, int64_t v) {
    if (v != 0) o[k] = v;
  };
  put_int("password_min_length", s.password_min_length);
  put_int("access_token_ttl_s", s.access_token_ttl_s);
  put_int("refresh_token_ttl_s", s.refresh_token_ttl_s);
  put("mail_from", s.mail_from);
  put("mail_sender_name", s.mail_sender_name);
  put("display_name", s.display_name);
  put("logo_url", s.logo_url);
  put("accent_color", s.accent_color);
  return json::serialize(o);
}

Status ValidateAppSettings(const AppSettings& s) {
  std::vector<FieldError> errors;
  if (s.password_min_length != 0 &&
      (s.password_min_length < kMinPasswordLength || s.password_min_length > kMaxPasswordMinLength)) {
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
  if (!s.mail_sender_name.empty() && (!LengthBetween(s.mail_sender_name, 1, 100) ||
                                      s.mail_sender_name.find_first_of("\r\n<>\"") != std::string::npos)) {
    errors.push_back({"mail_sender_name", "must be at most 100 characters, without < > \" or line breaks"});
  }
  if (!s.mail_from.empty() && !mail::ParseMailbox(s.mail_from).ok()) {
    errors.push_back({"mail_from", "must be an address, or \"Name <address>\""});
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
  if (!errors.empty()) return ValidationError(std::move(errors));
  return OkStatus();
}

std::string DisplayName(const AppSettings& settings, std::string_view app_name) {
  return settings.display_name.empty() ? std::string(app_name) : settings.display_name;
}

}  // namespace tessera::services
