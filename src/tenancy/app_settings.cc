#include "tenancy/app_settings.h"

#include <boost/json.hpp>

namespace tessera::store {
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

std::vector<std::string> Strings(const json::object& o, std::string_view k) {
  std::vector<std::string> out;
  if (auto* r = o.if_contains(k); r && r->is_array()) {
    for (const auto& u : r->as_array()) {
      if (u.is_string()) out.emplace_back(u.as_string());
    }
  }
  return out;
}

}  // namespace

std::string_view MfaPolicyText(MfaPolicy p) {
  switch (p) {
    case MfaPolicy::kOff: return "off";
    case MfaPolicy::kRequired: return "required";
    case MfaPolicy::kOptional: break;
  }
  return "optional";
}

std::optional<MfaPolicy> ParseMfaPolicy(std::string_view text) {
  for (MfaPolicy p : {MfaPolicy::kOff, MfaPolicy::kOptional, MfaPolicy::kRequired}) {
    if (MfaPolicyText(p) == text) return p;
  }
  return std::nullopt;
}

AppSettings ParseAppSettings(std::string_view text) {
  AppSettings s;
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return s;
  const json::object& o = v.as_object();
  s.allow_signup = Bool(o, "allow_signup", s.allow_signup);
  s.require_verified_email = Bool(o, "require_verified_email", s.require_verified_email);
  s.email_code_login = Bool(o, "email_code_login", s.email_code_login);
  s.magic_link_login = Bool(o, "magic_link_login", s.magic_link_login);
  s.first_user_admin = Bool(o, "first_user_admin", s.first_user_admin);
  s.password_min_length = static_cast<int>(Int(o, "password_min_length"));
  s.access_token_ttl_s = Int(o, "access_token_ttl_s");
  s.refresh_token_ttl_s = Int(o, "refresh_token_ttl_s");
  s.mail_from = Str(o, "mail_from");
  s.mail_sender_name = Str(o, "mail_sender_name");
  s.display_name = Str(o, "display_name");
  s.logo_url = Str(o, "logo_url");
  s.accent_color = Str(o, "accent_color");
  s.mfa = ParseMfaPolicy(Str(o, "mfa")).value_or(s.mfa);
  s.mfa_totp = Bool(o, "mfa_totp", s.mfa_totp);
  s.mfa_passkeys = Bool(o, "mfa_passkeys", s.mfa_passkeys);
  s.redirect_uris = Strings(o, "redirect_uris");
  s.passkey_origins = Strings(o, "passkey_origins");
  s.device_flow = Bool(o, "device_flow", s.device_flow);
  s.par = Bool(o, "par", s.par);
  s.token_exchange = Bool(o, "token_exchange", s.token_exchange);
  s.dpop = Bool(o, "dpop", s.dpop);
  s.dpop_nonce = Bool(o, "dpop_nonce", s.dpop_nonce);
  s.dynamic_registration = Bool(o, "dynamic_registration", s.dynamic_registration);
  s.backchannel_logout = Bool(o, "backchannel_logout", s.backchannel_logout);
  s.signed_request_objects = Bool(o, "signed_request_objects", s.signed_request_objects);
  s.pairwise_subjects = Bool(o, "pairwise_subjects", s.pairwise_subjects);
  s.default_locale = Str(o, "default_locale");
  if (auto* m = o.if_contains("messages"); m && m->is_object()) {
    for (const auto& [locale, texts] : m->as_object()) {
      if (!texts.is_object()) continue;
      auto& into = s.messages[std::string(locale)];
      for (const auto& [key, text] : texts.as_object()) {
        if (text.is_string()) into.emplace(std::string(key), std::string(text.as_string()));
      }
    }
  }
  return s;
}

std::string SerializeAppSettings(const AppSettings& s) {
  auto array = [](const std::vector<std::string>& list) {
    json::array out;
    for (const auto& u : list) out.emplace_back(u);
    return out;
  };
  json::object o{{"allow_signup", s.allow_signup},
                 {"require_verified_email", s.require_verified_email},
                 {"email_code_login", s.email_code_login},
                 {"magic_link_login", s.magic_link_login},
                 {"first_user_admin", s.first_user_admin},
                 {"redirect_uris", array(s.redirect_uris)},
                 {"passkey_origins", array(s.passkey_origins)},
                 {"mfa", MfaPolicyText(s.mfa)},
                 {"mfa_totp", s.mfa_totp},
                 {"mfa_passkeys", s.mfa_passkeys},
                 {"device_flow", s.device_flow},
                 {"par", s.par},
                 {"token_exchange", s.token_exchange},
                 {"dpop", s.dpop},
                 {"dpop_nonce", s.dpop_nonce},
                 {"dynamic_registration", s.dynamic_registration},
                 {"backchannel_logout", s.backchannel_logout},
                 {"signed_request_objects", s.signed_request_objects},
                 {"pairwise_subjects", s.pairwise_subjects}};
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
  put("default_locale", s.default_locale);
  if (!s.messages.empty()) {
    json::object messages;
    for (const auto& [locale, texts] : s.messages) {
      json::object m;
      for (const auto& [key, text] : texts) m[key] = text;
      messages[locale] = std::move(m);
    }
    o["messages"] = std::move(messages);
  }
  return json::serialize(o);
}

}  // namespace tessera::store
