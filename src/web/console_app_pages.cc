#include "web/console_app_pages.h"

#include "i18n/message_catalog.h"
#include "tenancy/app_settings.h"
#include "web/console_common.h"
#include "web/page_errors.h"

namespace tessera::web {
namespace {

namespace bh = http::beast_http;
using namespace console;

const std::vector<std::string_view> kSettingsFields = {"name",
                                                       "password_min_length",
                                                       "access_token_ttl_s",
                                                       "refresh_token_ttl_s",
                                                       "redirect_uris",
                                                       "passkey_origins",
                                                       "display_name",
                                                       "logo_url",
                                                       "accent_color",
                                                       "mail_sender_name",
                                                       "mail_from",
                                                       "default_locale"};

// The accent the colour picker shows when the app has none (Tessera's own).
constexpr std::string_view kDefaultAccent = "#4f46e5";

std::string NumberText(int64_t n) { return n == 0 ? "" : std::to_string(n); }

// The default language menu: English first (also what "" means), then the others.
void SetLocaleOptions(PageData& d, std::string_view chosen) {
  kainjow::mustache::list options;
  for (std::string_view code : i18n::SupportedLocales()) {
    PageData o;
    o.set("code", std::string(code));
    o.set("name", std::string(i18n::LocaleDisplayName(code)));
    o.set("selected", code == chosen || (chosen.empty() && code == "en"));
    options.push_back(std::move(o));
  }
  d.set("locale_options", std::move(options));
}

}  // namespace

void ConsoleAppPages::Mount(http::Router& r, const ConsoleGates& gates) {
  const std::string app = "/console/apps/{slug}";
  r.Add(bh::verb::get, "/console", gates.WithConsoleVisitor(Bind(this, &ConsoleAppPages::Home)));
  r.Add(bh::verb::post, "/console/apps",
        gates.WithConsoleVisitor(Bind(this, &ConsoleAppPages::CreateApp)));
  r.Add(bh::verb::get, app, gates.WithAppVisitor(Bind(this, &ConsoleAppPages::Overview)));
  r.Add(bh::verb::get, app + "/settings",
        gates.WithAppVisitor(Bind(this, &ConsoleAppPages::ShowSettings)));
  r.Add(bh::verb::post, app + "/settings",
        gates.WithAppVisitor(Bind(this, &ConsoleAppPages::SaveSettings)));
}

// ---- My apps -------------------------------------------------------------------------------

http::Response ConsoleAppPages::Home(http::Request& req, const ConsoleVisitor& v) {
  PageData d;
  SetNotice(d, PageQuery(req));
  return RenderHome(req, v, std::move(d), 200);
}

http::Response ConsoleAppPages::RenderHome(const http::Request& req, const ConsoleVisitor& v,
                                           PageData d, unsigned status) {
  layout_.Base(d, v, "Your apps");
  auto apps = console_.ListApps(v.user);
  if (!apps.ok()) return layout_.Unavailable(req, v);
  PageData rows = List();
  for (const auto& a : *apps) {
    PageData row;
    row.set("name", a.app.name);
    row.set("slug", a.app.slug);
    row.set("url", layout_.AppPath(a.app));
    row.set("role", std::string(ToText(a.role)));
    row.set("disabled", a.app.disabled);
    row.set("issuer", layout_.urls().Issuer(a.app));
    rows.push_back(row);
  }
  d.set("apps", rows);
  d.set("create_action", layout_.urls().ConsolePath("/apps"));
  d.set("invitations_url", layout_.urls().ConsolePath("/invitations"));
  if (!d.get("new_name")) d.set("new_name", "");
  if (!d.get("new_slug")) d.set("new_slug", "");
  d.set("issuer_prefix", layout_.urls().public_url() + "/apps/");
  return layout_.Render(req, v, "console_home", std::move(d), status);
}

http::Response ConsoleAppPages::CreateApp(http::Request& req, const ConsoleVisitor& v,
                                          const Form& form) {
  std::string name = Field(form, "name", 400);
  std::string slug = Lowercase(Field(form, "slug", 100));
  auto created = console_.CreateApp(v.user, slug, name, v.actor);
  if (created.ok()) return layout_.Done(layout_.AppPath(created->app), "created");
  const Status& s = created.status();
  const PageFailure failure = PageFailureOf(s, EnglishTexts());
  if (failure.unavailable()) return layout_.Unavailable(req, v);
  PageData d;
  d.set("new_name", name);
  d.set("new_slug", slug);
  d.set("create_open", true);
  auto others = SetFieldErrors(d, s, {"name", "slug"});
  d.set("error", RefusalSentence(EnglishTexts(), "The app was not created", s, others));
  return RenderHome(req, v, std::move(d), failure.status);
}

// ---- Overview ------------------------------------------------------------------------------

http::Response ConsoleAppPages::Overview(http::Request& req, const AppVisitor& a) {
  const store::App& app = a.app();
  PageData d;
  layout_.AppBase(d, a, "Overview", "overview");
  SetNotice(d, PageQuery(req));
  d.set("heading", app.name);
  const std::string issuer = layout_.urls().Issuer(app);
  d.set("issuer", issuer);
  d.set("discovery_url", issuer + "/.well-known/openid-configuration");
  d.set("jwks_url", issuer + "/.well-known/jwks.json");
  d.set("api_base", issuer + "/api");
  d.set("login_url", issuer + "/login");
  d.set("docs_url", layout_.urls().path_base() + "/api/docs");
  if (auto n = users_.Count(app); n.ok()) d.set("users_count", std::to_string(*n));
  if (auto keys = keys_.List(app); keys.ok()) d.set("keys_count", std::to_string(keys->size()));
  if (auto clients = clients_.List(app); clients.ok()) {
    size_t live = 0;
    for (const auto& c : *clients) live += c.revoked_at ? 0 : 1;
    d.set("clients_count", std::to_string(live));
  }
  d.set("curl_snippet",
        "curl -X POST '" + issuer +
            "/api/users' \\\n"
            "  -H 'Authorization: Bearer tsk_…your API key…' \\\n"
            "  -H 'Content-Type: application/json' \\\n"
            "  -d '{\"email\": \"ada@example.com\", \"password\": \"a long passphrase\"}'");
  d.set("oidc_snippet",
        "import * as client from 'openid-client';\n\n"
        "const config = await client.discovery(\n"
        "  new URL('" +
            issuer +
            "'),\n"
            "  process.env.CLIENT_ID,\n"
            "  process.env.CLIENT_SECRET,\n"
            ");");
  d.set("settings_url", layout_.AppPath(app, "/settings"));
  d.set("keys_url", layout_.AppPath(app, "/api-keys"));
  d.set("clients_url", layout_.AppPath(app, "/clients"));
  d.set("users_url", layout_.AppPath(app, "/users"));
  d.set("members_url", layout_.AppPath(app, "/members"));
  d.set("audit_url", layout_.AppPath(app, "/audit"));
  return layout_.Render(req, a.visitor, "console_app", std::move(d), 200);
}

// ---- Settings ------------------------------------------------------------------------------

FieldError ConsoleAppPages::InPageWords(const FieldError& e) const {
  auto range = [&](std::string_view lo_hi, std::string_view unit, int64_t server) {
    return FieldError{e.field, "enter " + std::string(lo_hi) + std::string(unit) +
                                   ", or leave it blank for the server’s default (" +
                                   std::to_string(server) + ")"};
  };
  if (e.field == "password_min_length") {
    return range("8–128", " characters", accounts_.options().password.min_length);
  }
  if (e.field == "access_token_ttl_s") return range("60–86400", " seconds", access_ttl_s_);
  if (e.field == "refresh_token_ttl_s") return range("3600–31536000", " seconds", refresh_ttl_s_);
  return e;
}

http::Response ConsoleAppPages::ShowSettings(http::Request& req, const AppVisitor& a) {
  PageData d;
  SetNotice(d, PageQuery(req));
  return RenderSettings(req, a, std::move(d), 200);
}

// The policy as the settings form's radio group and checkbox.
static void SetMfaPolicy(PageData& d, store::MfaPolicy policy, bool totp, bool passkeys) {
  d.set("mfa_off", policy == store::MfaPolicy::kOff);
  d.set("mfa_optional", policy == store::MfaPolicy::kOptional);
  d.set("mfa_required", policy == store::MfaPolicy::kRequired);
  d.set("mfa_totp", totp);
  d.set("mfa_passkeys", passkeys);
}

http::Response ConsoleAppPages::RenderSettings(const http::Request& req, const AppVisitor& a,
                                               PageData d, unsigned status) {
  const store::App& app = a.app();
  layout_.AppBase(d, a, "Settings", "settings");
  d.set("heading", "Settings");
  const bool from_form = d.get("from_form") != nullptr;
  if (!from_form) {
    const store::AppSettings& s = app.settings;
    d.set("name", app.name);
    d.set("allow_signup", s.allow_signup);
    d.set("magic_link_login", s.magic_link_login);
    d.set("email_code_login", s.email_code_login);
    d.set("require_verified_email", s.require_verified_email);
    d.set("first_user_admin", s.first_user_admin);
    d.set("device_flow", s.device_flow);
    d.set("par", s.par);
    d.set("token_exchange", s.token_exchange);
    d.set("dpop", s.dpop);
    d.set("dpop_nonce", s.dpop_nonce);
    d.set("dynamic_registration", s.dynamic_registration);
    d.set("backchannel_logout", s.backchannel_logout);
    d.set("signed_request_objects", s.signed_request_objects);
    d.set("pairwise_subjects", s.pairwise_subjects);
    d.set("password_min_length", NumberText(s.password_min_length));
    d.set("access_token_ttl_s", NumberText(s.access_token_ttl_s));
    d.set("refresh_token_ttl_s", NumberText(s.refresh_token_ttl_s));
    d.set("redirect_uris", Join(s.redirect_uris, "\n"));
    d.set("passkey_origins", Join(s.passkey_origins, "\n"));
    d.set("display_name", s.display_name);
    d.set("form_logo_url", s.logo_url);
    d.set("accent_custom", !s.accent_color.empty());
    d.set("accent_color",
          s.accent_color.empty() ? std::string(kDefaultAccent) : Lowercase(s.accent_color));
    d.set("mail_sender_name", s.mail_sender_name);
    d.set("mail_from", s.mail_from);
    SetLocaleOptions(d, s.default_locale);
    SetMfaPolicy(d, s.mfa, s.mfa_totp, s.mfa_passkeys);
  }
  d.set("action", layout_.AppPath(app, "/settings"));
  d.set("texts_url", layout_.AppPath(app, "/texts"));
  d.set("mail_domain_url", layout_.AppPath(app, "/mail-domain"));
  d.set("default_password_min_length", std::to_string(accounts_.options().password.min_length));
  d.set("default_access_ttl", std::to_string(access_ttl_s_));
  d.set("default_refresh_ttl", std::to_string(refresh_ttl_s_));
  const std::string issuer = layout_.urls().Issuer(app);
  d.set("preview_url", issuer + "/login");
  d.set("device_url", issuer + "/device");
  d.set("par_url", issuer + "/oauth/par");
  d.set("registration_url", issuer + "/oauth/register");
  return layout_.Render(req, a.visitor, "console_settings", std::move(d), status);
}

http::Response ConsoleAppPages::SaveSettings(http::Request& req, const AppVisitor& a,
                                             const Form& form) {
  store::AppSettings s = a.app().settings;
  std::vector<FieldError> errors;
  const std::string name = Field(form, "name", 400);
  if (name.empty()) errors.push_back({"name", "the app needs a name"});
  s.allow_signup = Checked(form, "allow_signup");
  s.magic_link_login = Checked(form, "magic_link_login");
  s.email_code_login = Checked(form, "email_code_login");
  s.require_verified_email = Checked(form, "require_verified_email");
  s.first_user_admin = Checked(form, "first_user_admin");
  s.device_flow = Checked(form, "device_flow");
  s.par = Checked(form, "par");
  s.token_exchange = Checked(form, "token_exchange");
  s.dpop = Checked(form, "dpop");
  s.dpop_nonce = Checked(form, "dpop_nonce");
  s.dynamic_registration = Checked(form, "dynamic_registration");
  s.backchannel_logout = Checked(form, "backchannel_logout");
  s.signed_request_objects = Checked(form, "signed_request_objects");
  s.pairwise_subjects = Checked(form, "pairwise_subjects");
  auto number = [&](const char* field, std::string_view what) -> int64_t {
    auto n = WholeNumber(http::FormValue(form, field));
    if (!n) {
      errors.push_back(
          {field, "enter a whole number of " + std::string(what) + ", or leave it blank"});
      return 0;
    }
    return *n;
  };
  s.password_min_length = static_cast<int>(number("password_min_length", "characters"));
  s.access_token_ttl_s = number("access_token_ttl_s", "seconds");
  s.refresh_token_ttl_s = number("refresh_token_ttl_s", "seconds");
  s.redirect_uris = Lines(http::FormValue(form, "redirect_uris"));
  s.display_name = Field(form, "display_name", 400);
  s.logo_url = Field(form, "logo_url", 4096);
  s.accent_color = Checked(form, "accent_custom") ? Lowercase(Field(form, "accent_color", 16)) : "";
  s.mail_sender_name = Field(form, "mail_sender_name", 400);
  s.mail_from = Field(form, "mail_from", 400);
  // A menu: English is the default ("" keeps it so, and follows any later change of it).
  s.default_locale = Field(form, "default_locale", 16);
  if (s.default_locale == "en") s.default_locale.clear();
  // A radio group: a missing or unknown value keeps the stored policy.
  s.mfa = store::ParseMfaPolicy(http::FormValue(form, "mfa")).value_or(s.mfa);
  s.mfa_totp = Checked(form, "mfa_totp");
  s.mfa_passkeys = Checked(form, "mfa_passkeys");
  s.passkey_origins = Lines(http::FormValue(form, "passkey_origins"));

  auto fail = [&](const std::vector<FieldError>& field_errors, unsigned status) {
    PageData d;
    d.set("from_form", true);
    d.set("name", name);
    for (const char* f :
         {"allow_signup", "magic_link_login", "email_code_login", "require_verified_email",
          "first_user_admin", "device_flow", "par", "token_exchange", "dpop", "dpop_nonce",
          "dynamic_registration", "backchannel_logout", "signed_request_objects",
          "pairwise_subjects", "accent_custom"}) {
      d.set(f, Checked(form, f));
    }
    for (const char* f : {"password_min_length", "access_token_ttl_s", "refresh_token_ttl_s",
                          "redirect_uris", "passkey_origins", "display_name",
                          "mail_sender_name", "mail_from"}) {
      d.set(f, Field(form, f, 4096));
    }
    // (Not "logo_url": that is the layout's, the console's own logo.)
    d.set("form_logo_url", Field(form, "logo_url", 4096));
    SetMfaPolicy(d, s.mfa, s.mfa_totp, s.mfa_passkeys);
    SetLocaleOptions(d, Field(form, "default_locale", 16));
    std::string accent = Lowercase(Field(form, "accent_color", 16));
    d.set("accent_color",
          accent.size() == 7 && accent[0] == '#' ? accent : std::string(kDefaultAccent));
    std::vector<std::string> others = SetFieldErrors(d, field_errors, kSettingsFields);
    d.set("error", others.empty() ? "Nothing was saved: please check the highlighted fields."
                                  : "Nothing was saved: " + Join(others, "; ") + ".");
    return RenderSettings(req, a, std::move(d), status);
  };

  // Show every problem at once: the form's own and the settings' rules (in the page's words:
  // the rules speak of 0 for "the server's default", where the page says "leave it blank").
  if (Status valid = services::ValidateAppSettings(s); !valid.ok()) {
    for (const auto& e : valid.field_errors()) errors.push_back(InPageWords(e));
  }
  if (!errors.empty()) return fail(errors, 400);
  auto updated = apps_.Update(a.app().slug, name, s, a.visitor.actor);
  if (updated.ok()) return layout_.Done(layout_.AppPath(a.app(), "/settings"), "settings");
  if (updated.status().code() == StatusCode::kInvalidArgument) {
    std::vector<FieldError> page_errors;
    for (const auto& e : updated.status().field_errors()) page_errors.push_back(InPageWords(e));
    return fail(page_errors, 400);
  }
  return layout_.Failure(req, a.visitor, updated.status());
}

}  // namespace tessera::web
