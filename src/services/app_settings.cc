#include "services/app_settings.h"

#include <boost/json.hpp>

namespace tessera::services {
namespace json = boost::json;
namespace {

bool Bool(const json::object& o, std::string_view k, bool fallback) {
  auto* v = o.if_contains(k);
  return v && v->is_bool() ? v->as_bool() : fallback;
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
  if (auto* m = o.if_contains("mail_from"); m && m->is_string()) s.mail_from = m->as_string();
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
                 {"redirect_uris", uris}};
  if (!s.mail_from.empty()) o["mail_from"] = s.mail_from;
  return json::serialize(o);
}

}  // namespace tessera::services
