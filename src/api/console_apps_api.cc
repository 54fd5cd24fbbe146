#include "api/console_apps_api.h"

#include <boost/json.hpp>
#include <climits>
#include <functional>
#include <vector>

#include "api/views.h"
#include "http/json_body.h"
#include "http/problem.h"

namespace tessera::api {
namespace json = boost::json;
using http::Request;
using http::Response;
using http::beast_http::verb;

namespace {


constexpr const char* kSettingNames[] = {
    "allow_signup",        "require_verified_email", "email_code_login",    "magic_link_login",
    "password_min_length", "access_token_ttl_s",     "refresh_token_ttl_s", "mail_from",
    "mail_sender_name",    "redirect_uris",          "display_name",        "logo_url",
    "accent_color",        "mfa",                    "mfa_totp",            "mfa_passkeys",
    "passkey_origins",     "first_user_admin",       "device_flow",         "par",
    "token_exchange",      "dpop",                   "dpop_nonce",          "dynamic_registration",
    "backchannel_logout",  "signed_request_objects", "pairwise_subjects",   "default_locale",
    "messages"};

bool IsSettingName(std::string_view field) {
  field = field.substr(0, field.find('.'));  // messages.<locale>.<key>
  for (const char* n : kSettingNames) {
    if (field == n) return true;
  }
  return false;
}

// The service names settings by their own names; the body nests them under "settings".
Status PrefixSettingErrors(const Status& s) {
  if (s.field_errors().empty()) return s;
  std::vector<FieldError> errors;
  for (const auto& e : s.field_errors()) {
    errors.push_back({IsSettingName(e.field) ? "settings." + e.field : e.field, e.message});
  }
  return Status(s.code(), s.message()).WithFieldErrors(std::move(errors));
}

// "messages": {"<locale>": {"<key>": "text" | null}}: a string sets the app's wording of that
// message, null goes back to the catalogue's; keys not named are kept (a merge, like the
// other settings). The texts are checked against the catalogue with the rest of the settings.
void ReadMessageEdits(http::JsonBody& in, std::vector<std::function<void(store::AppSettings&)>>& edits) {
  auto messages = in.Object("messages");
  if (!messages) return;
  for (const auto& [locale, texts] : *messages) {
    const std::string field = "messages." + std::string(locale);
    if (!texts.is_object()) {
      in.Fail(field, "must be an object of message keys to texts (or null)");
      continue;
    }
    for (const auto& [key, text] : texts.as_object()) {
      if (!text.is_string() && !text.is_null()) {
        in.Fail(field + "." + std::string(key), "must be a string, or null for the catalogue's");
        continue;
      }
      std::optional<std::string> value;
      if (text.is_string()) value = std::string(text.as_string());
      edits.push_back([locale = std::string(locale), key = std::string(key), value](store::AppSettings& s) {
        if (value) {
          s.messages[locale][key] = *value;
          return;
        }
        auto it = s.messages.find(locale);
        if (it == s.messages.end()) return;
        it->second.erase(key);
        if (it->second.empty()) s.messages.erase(it);
      });
    }
  }
}

// The members present in `in`, with strict types (unknown names are reported by the
// reader), as one edit of the settings. It is applied to the settings as stored, inside the
// update's transaction: a merge onto a copy read before it would drop a concurrent PATCH of
// other keys.
services::AppService::SettingsEdit ReadSettingsEdit(http::JsonBody& in) {
  using S = store::AppSettings;
  std::vector<std::function<void(S&)>> edits;
  auto set = [&](auto field, auto value) {
    edits.push_back([field, value = std::move(value)](S& s) { s.*field = value; });
  };
  auto flag = [&](const char* name, bool S::*field) {
    if (auto v = in.Bool(name)) set(field, *v);
  };
  auto text = [&](const char* name, std::string S::*field) {
    if (auto v = in.String(name)) set(field, std::move(*v));
  };
  flag("allow_signup", &S::allow_signup);
  flag("require_verified_email", &S::require_verified_email);
  flag("email_code_login", &S::email_code_login);
  flag("magic_link_login", &S::magic_link_login);
  flag("first_user_admin", &S::first_user_admin);
  if (auto v = in.Integer("password_min_length")) {
    if (*v < INT_MIN || *v > INT_MAX) {
      in.Fail("password_min_length", "must be 0 (the server default) or 8-128");
    } else {
      set(&S::password_min_length, static_cast<int>(*v));
    }
  }
  if (auto v = in.Integer("access_token_ttl_s")) set(&S::access_token_ttl_s, int64_t{*v});
  if (auto v = in.Integer("refresh_token_ttl_s")) set(&S::refresh_token_ttl_s, int64_t{*v});
  text("mail_from", &S::mail_from);
  text("mail_sender_name", &S::mail_sender_name);
  if (auto v = in.StringArray("redirect_uris")) set(&S::redirect_uris, std::move(*v));
  text("display_name", &S::display_name);
  text("logo_url", &S::logo_url);
  text("accent_color", &S::accent_color);
  if (auto v = in.String("mfa")) {
    if (auto policy = store::ParseMfaPolicy(*v)) {
      set(&S::mfa, *policy);
    } else {
      in.Fail("mfa", "must be one of off, optional, required");
    }
  }
  flag("mfa_totp", &S::mfa_totp);
  flag("mfa_passkeys", &S::mfa_passkeys);
  if (auto v = in.StringArray("passkey_origins")) set(&S::passkey_origins, std::move(*v));
  flag("device_flow", &S::device_flow);
  flag("par", &S::par);
  flag("token_exchange", &S::token_exchange);
  flag("dpop", &S::dpop);
  flag("dpop_nonce", &S::dpop_nonce);
  flag("dynamic_registration", &S::dynamic_registration);
  flag("backchannel_logout", &S::backchannel_logout);
  flag("signed_request_objects", &S::signed_request_objects);
  flag("pairwise_subjects", &S::pairwise_subjects);
  text("default_locale", &S::default_locale);
  ReadMessageEdits(in, edits);
  return [edits = std::move(edits)](S& s) {
    for (const auto& e : edits) e(s);
  };
}

}  // namespace

void ConsoleAppsApi::Mount(http::Router& r) {
  const std::string base = "/api/console/apps";
  r.Add(verb::get, base, [this](Request& req) { return ListApps(req); });
  r.Add(verb::post, base, [this](Request& req) { return CreateApp(req); });
  r.Add(verb::get, base + "/{slug}", [this](Request& req) { return GetApp(req); });
  r.Add(verb::patch, base + "/{slug}", [this](Request& req) { return PatchApp(req); });
}

json::object ConsoleAppsApi::AppDetail(const store::App& app, services::AccessRole role) const {
  std::string issuer = apps_.IssuerFor(app.slug);
  json::object v = AppSummaryView(app, issuer);
  v["role"] = ToText(role);
  v["discovery_url"] = issuer + "/.well-known/openid-configuration";
  v["settings"] = AppSettingsView(app.settings);
  return v;
}

Response ConsoleAppsApi::ListApps(Request& req) {
  return caller_.AsDeveloper(req, [&](const store::User& caller, const services::Actor&) {
    auto apps = console_.ListApps(caller);
    if (!apps.ok()) return http::ProblemResponse(apps.status());
    json::array out;
    for (const auto& a : *apps) {
      json::object v = AppSummaryView(a.app, apps_.IssuerFor(a.app.slug));
      v["role"] = ToText(a.role);
      out.push_back(std::move(v));
    }
    return http::JsonResponse(200, json::object{{"apps", std::move(out)}});
  });
}

Response ConsoleAppsApi::CreateApp(Request& req) {
  return caller_.AsDeveloper(req, [&](const store::User& caller, const services::Actor& actor) {
    std::string slug, name;
    if (auto bad = http::ReadJson(req, [&](http::JsonBody& b) {
          slug = b.String("slug", true).value_or("");
          name = b.String("name", true).value_or("");
        })) {
      return *bad;
    }
    auto created = console_.CreateApp(caller, slug, name, actor);
    if (!created.ok()) return http::ProblemResponse(created.status());
    return http::JsonResponse(201, AppDetail(created->app, created->role));
  });
}

Response ConsoleAppsApi::GetApp(Request& req) {
  return caller_.InAccessibleApp(req, [&](const services::AppAccess& a, const services::Actor&) {
    return http::JsonResponse(200, AppDetail(a.app, a.role));
  });
}

Response ConsoleAppsApi::PatchApp(Request& req) {
  return caller_.InAccessibleApp(
      req, [&](const services::AppAccess& a, const services::Actor& actor) {
        std::optional<std::string> name;
        services::AppService::SettingsEdit edit;  // none: the settings stay as they are
        if (auto bad = http::ReadJson(req, [&](http::JsonBody& b) {
              name = b.String("name");
              if (auto in = b.Nested("settings")) {
                edit = ReadSettingsEdit(*in);
                b.Absorb(*in);
              }
            })) {
          return *bad;
        }
        auto updated = apps_.Edit(a.app.slug, name, edit, actor);
        if (!updated.ok()) return http::ProblemResponse(PrefixSettingErrors(updated.status()));
        return http::JsonResponse(200, AppDetail(*updated, a.role));
      });
}

}  // namespace tessera::api
