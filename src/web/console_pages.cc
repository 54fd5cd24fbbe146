// The developer console: the sign-in gate every console page goes through, the list of the
// developer's apps with "Create app", an app's overview and its settings; the routes of
// every console and operator page; and each app's branding stylesheet.
#include "web/console_pages.h"

#include "http/form.h"
#include "tenancy/app_settings.h"
#include "web/console_common.h"
#include "web/login_pages.h"

namespace tessera::web {
namespace {

namespace bh = http::beast_http;
using namespace console;

const std::vector<std::string_view> kSettingsFields = {
    "name", "password_min_length", "access_token_ttl_s", "refresh_token_ttl_s", "redirect_uris",
    "display_name", "logo_url", "accent_color", "mail_sender_name", "mail_from"};

// The accent the colour picker shows when the app has none (Tessera's own).
constexpr std::string_view kDefaultAccent = "#4f46e5";

std::string NumberText(int64_t n) { return n == 0 ? "" : std::to_string(n); }

}  // namespace

void ConsolePages::Mount(http::Router& r) {
  auto get = [&](std::string pattern, http::Response (ConsolePages::*fn)(http::Request&)) {
    r.Add(bh::verb::get, std::move(pattern), [this, fn](http::Request& q) { return (this->*fn)(q); });
  };
  auto post = [&](std::string pattern, http::Response (ConsolePages::*fn)(http::Request&)) {
    r.Add(bh::verb::post, std::move(pattern), [this, fn](http::Request& q) { return (this->*fn)(q); });
  };
  const std::string app = "/console/apps/{slug}";
  get("/console", &ConsolePages::Home);
  post("/console/apps", &ConsolePages::CreateApp);
  get(app, &ConsolePages::Overview);
  get(app + "/settings", &ConsolePages::ShowSettings);
  post(app + "/settings", &ConsolePages::SaveSettings);
  get(app + "/api-keys", &ConsolePages::ApiKeys);
  post(app + "/api-keys", &ConsolePages::CreateApiKey);
  post(app + "/api-keys/{id}/revoke", &ConsolePages::RevokeApiKey);
  get(app + "/clients", &ConsolePages::Clients);
  post(app + "/clients", &ConsolePages::CreateClient);
  get(app + "/clients/{client_id}", &ConsolePages::ShowClient);
  post(app + "/clients/{client_id}", &ConsolePages::UpdateClient);
  post(app + "/clients/{client_id}/rotate-secret", &ConsolePages::RotateClientSecret);
  post(app + "/clients/{client_id}/revoke", &ConsolePages::RevokeClient);
  get(app + "/users", &ConsolePages::Users);
  get(app + "/users/{id}", &ConsolePages::ShowUser);
  r.Add(bh::verb::post, app + "/users/{id}/disable",
        [this](http::Request& q) { return SetUserDisabled(q, true); });
  r.Add(bh::verb::post, app + "/users/{id}/enable",
        [this](http::Request& q) { return SetUserDisabled(q, false); });
  post(app + "/users/{id}/sign-out", &ConsolePages::SignOutUser);
  post(app + "/users/{id}/password-reset", &ConsolePages::SendUserPasswordReset);
  get(app + "/users/{id}/delete", &ConsolePages::ConfirmDeleteUser);
  post(app + "/users/{id}/delete", &ConsolePages::DeleteUser);
  get(app + "/members", &ConsolePages::Members);
  post(app + "/members", &ConsolePages::AddMember);
  post(app + "/members/{user_id}/remove", &ConsolePages::RemoveMember);
  get(app + "/audit", &ConsolePages::AppAudit);

  get("/admin", &ConsolePages::AdminHome);
  r.Add(bh::verb::post, "/admin/apps/{slug}/disable",
        [this](http::Request& q) { return AdminSetAppDisabled(q, true); });
  r.Add(bh::verb::post, "/admin/apps/{slug}/enable",
        [this](http::Request& q) { return AdminSetAppDisabled(q, false); });
  get("/admin/audit", &ConsolePages::AdminAudit);

  // Every app's hosted pages link their accent colour from here (web_context.h).
  r.Add(bh::verb::get, "/apps/{app}/branding.css",
        [this](http::Request& q) { return web_.BrandingCss(q); });
}

// ---- The gate ------------------------------------------------------------------------------

std::variant<ConsolePages::Visitor, http::Response> ConsolePages::Enter(http::Request& req,
                                                                         Form* form) {
  auto console = web_.apps().Resolve(services::kConsoleAppSlug);
  if (!console.ok()) {
    if (console.status().IsNotFound()) return web_.UnknownApp(req);
    return web_.ErrorPage(req, nullptr, 503, "Something went wrong", "Please try again in a moment.");
  }
  if (form) {
    auto f = ReadForm(req);
    if (!f || !web_.CsrfOk(req, *f)) return web_.CsrfRejected(req, *console);
    *form = std::move(*f);
  }
  auto sign_in_first = [&] {
    // Back to this page after signing in (a form's page is not known: the console's home).
    std::string here = form ? web_.ConsolePath() : web_.path_base() + std::string(req.raw.target());
    std::string login = web_.PagePath(*console, "login");
    if (std::string back = web_.SafeReturnTo(*console, here); !back.empty()) {
      login += "?return_to=" + http::FormEncode(back);
    }
    return WebContext::Redirect(web_.Absolute(login));
  };
  auto session = web_.CurrentSession(*console, req);
  if (!session) return sign_in_first();
  auto user = accounts_.GetUser(*console, session->user_id);
  if (!user.ok()) {
    if (user.status().IsNotFound()) return sign_in_first();
    return web_.ErrorPage(req, &*console, 503, "Something went wrong", "Please try again in a moment.");
  }
  if (user->disabled) return sign_in_first();
  Visitor v;
  v.is_operator = services::DeveloperConsoleService::IsOperator(*user);
  v.actor = services::Actor{
      v.is_operator ? store::AuditActorType::kAdmin : store::AuditActorType::kDeveloper, user->id,
      req.remote_ip, std::string(req.Header(bh::field::user_agent))};
  v.console = std::move(*console);
  v.session = std::move(*session);
  v.user = std::move(*user);
  return v;
}

std::variant<ConsolePages::AppVisitor, http::Response> ConsolePages::EnterApp(http::Request& req,
                                                                               Form* form) {
  auto visit = Enter(req, form);
  if (auto* r = std::get_if<http::Response>(&visit)) return std::move(*r);
  Visitor& v = std::get<Visitor>(visit);
  auto access = console_.Access(v.user, req.Param("slug"));
  if (!access.ok()) {
    // Someone else's app and no app at all look the same.
    if (access.status().IsNotFound()) return NotFound(req, v);
    return Unavailable(req, v);
  }
  return AppVisitor{std::move(v), std::move(*access)};
}

std::variant<ConsolePages::Visitor, http::Response> ConsolePages::EnterAdmin(http::Request& req,
                                                                              Form* form) {
  auto visit = Enter(req, form);
  if (auto* r = std::get_if<http::Response>(&visit)) return std::move(*r);
  Visitor& v = std::get<Visitor>(visit);
  if (!v.is_operator) return NotFound(req, v);
  return std::move(v);
}

// ---- Page scaffolding ----------------------------------------------------------------------

void ConsolePages::Base(PageData& d, const Visitor& v, std::string title, bool admin) const {
  d.set("title", std::move(title));
  d.set("console_layout", true);
  d.set("nav_home_url", web_.ConsolePath());
  if (v.is_operator) d.set("nav_admin_url", web_.AdminPath());
  d.set("nav_in_console", !admin);
  d.set("nav_in_admin", admin);
  d.set("nav_account_url", web_.PagePath(v.console, "account"));
  d.set("nav_user", v.user.email);
  d.set("nav_logout_action", web_.PagePath(v.console, "logout"));
}

void ConsolePages::AppBase(PageData& d, const AppVisitor& a, std::string title,
                           std::string_view section) const {
  Base(d, a.v, std::move(title) + " · " + a.app().name);
  d.set("app_label", a.app().name);
  d.set("app_slug", a.app().slug);
  d.set("app_disabled", a.app().disabled);
  d.set("app_role", std::string(ToText(a.access.role)));
  d.set("app_url", AppPath(a.app()));
  struct Tab {
    const char* label;
    const char* path;
    const char* key;
  };
  constexpr Tab kTabs[] = {{"Overview", "", "overview"},     {"Settings", "/settings", "settings"},
                           {"API keys", "/api-keys", "api-keys"}, {"OAuth clients", "/clients", "clients"},
                           {"Users", "/users", "users"},      {"Members", "/members", "members"},
                           {"Audit log", "/audit", "audit"}};
  PageData tabs = List();
  for (const Tab& t : kTabs) {
    PageData tab;
    tab.set("label", t.label);
    tab.set("url", AppPath(a.app(), t.path));
    tab.set("current", section == t.key);
    tabs.push_back(tab);
  }
  d.set("tabs", tabs);
}

http::Response ConsolePages::Render(const http::Request& req, const Visitor& v,
                                    std::string_view page, PageData data, unsigned status) const {
  return web_.Page(req, v.console, page, std::move(data), status);
}

http::Response ConsolePages::NotFound(const http::Request& req, const Visitor& v) const {
  PageData d;
  Base(d, v, "Not found");
  d.set("heading", "Not found");
  d.set("message", "There is nothing here, or it is not yours to see.");
  d.set("request_id", req.request_id);
  d.set("back_url", web_.ConsolePath());
  return Render(req, v, "error", std::move(d), 404);
}

http::Response ConsolePages::Unavailable(const http::Request& req, const Visitor& v) const {
  PageData d;
  Base(d, v, "Something went wrong");
  d.set("heading", "Something went wrong");
  d.set("message", "Please try again in a moment.");
  d.set("request_id", req.request_id);
  return Render(req, v, "error", std::move(d), 503);
}

http::Response ConsolePages::Done(const std::string& path, std::string_view what) const {
  return WebContext::Redirect(web_.Absolute(path + "?done=" + std::string(what)));
}

std::string ConsolePages::AppPath(const store::App& app, std::string_view rest) const {
  return web_.ConsolePath("/apps/" + app.slug + std::string(rest));
}

// ---- My apps -------------------------------------------------------------------------------

http::Response ConsolePages::Home(http::Request& req) {
  auto visit = Enter(req, nullptr);
  if (auto* r = std::get_if<http::Response>(&visit)) return std::move(*r);
  PageData d;
  SetNotice(d, QueryOf(req));
  return RenderHome(req, std::get<Visitor>(visit), std::move(d), 200);
}

http::Response ConsolePages::RenderHome(const http::Request& req, const Visitor& v, PageData d,
                                        unsigned status) {
  Base(d, v, "Your apps");
  auto apps = console_.ListApps(v.user);
  if (!apps.ok()) return Unavailable(req, v);
  PageData rows = List();
  for (const auto& a : *apps) {
    PageData row;
    row.set("name", a.app.name);
    row.set("slug", a.app.slug);
    row.set("url", AppPath(a.app));
    row.set("role", std::string(ToText(a.role)));
    row.set("disabled", a.app.disabled);
    row.set("issuer", web_.Issuer(a.app));
    rows.push_back(row);
  }
  d.set("apps", rows);
  d.set("create_action", web_.ConsolePath("/apps"));
  if (!d.get("new_name")) d.set("new_name", "");
  if (!d.get("new_slug")) d.set("new_slug", "");
  d.set("issuer_prefix", web_.apps().public_url() + "/apps/");
  return Render(req, v, "console_home", std::move(d), status);
}

http::Response ConsolePages::CreateApp(http::Request& req) {
  Form form;
  auto visit = Enter(req, &form);
  if (auto* r = std::get_if<http::Response>(&visit)) return std::move(*r);
  const Visitor& v = std::get<Visitor>(visit);
  std::string name = Field(form, "name", 400);
  std::string slug = Lowercase(Field(form, "slug", 100));
  auto created = console_.CreateApp(v.user, slug, name, v.actor);
  if (created.ok()) return Done(AppPath(created->app), "created");
  const Status& s = created.status();
  PageData d;
  d.set("new_name", name);
  d.set("new_slug", slug);
  d.set("create_open", true);
  switch (s.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kAlreadyExists: {
      auto others = SetFieldErrors(d, s, {"name", "slug"});
      d.set("error", others.empty() ? "The app was not created: please check the highlighted fields."
                                    : "The app was not created: " + Join(others, "; ") + ".");
      return RenderHome(req, v, std::move(d), s.IsAlreadyExists() ? 409 : 400);
    }
    case StatusCode::kFailedPrecondition:
      d.set("error", "The app was not created: " + s.message() + ".");
      return RenderHome(req, v, std::move(d), 409);
    default:
      return Unavailable(req, v);
  }
}

// ---- Overview ------------------------------------------------------------------------------

http::Response ConsolePages::Overview(http::Request& req) {
  auto visit = EnterApp(req, nullptr);
  if (auto* r = std::get_if<http::Response>(&visit)) return std::move(*r);
  const AppVisitor& a = std::get<AppVisitor>(visit);
  const store::App& app = a.app();
  PageData d;
  AppBase(d, a, "Overview", "overview");
  SetNotice(d, QueryOf(req));
  d.set("heading", app.name);
  const std::string issuer = web_.Issuer(app);
  d.set("issuer", issuer);
  d.set("discovery_url", issuer + "/.well-known/openid-configuration");
  d.set("jwks_url", issuer + "/.well-known/jwks.json");
  d.set("api_base", issuer + "/api");
  d.set("login_url", issuer + "/login");
  d.set("docs_url", web_.path_base() + "/api/docs");
  if (auto n = users_.Count(app); n.ok()) d.set("users_count", std::to_string(*n));
  if (auto keys = keys_.List(app); keys.ok()) d.set("keys_count", std::to_string(keys->size()));
  if (auto clients = clients_.List(app); clients.ok()) {
    size_t live = 0;
    for (const auto& c : *clients) live += c.revoked_at ? 0 : 1;
    d.set("clients_count", std::to_string(live));
  }
  d.set("curl_snippet",
        "curl -X POST '" + issuer + "/api/users' \\\n"
        "  -H 'Authorization: Bearer tsk_…your API key…' \\\n"
        "  -H 'Content-Type: application/json' \\\n"
        "  -d '{\"email\": \"ada@example.com\", \"password\": \"a long passphrase\"}'");
  d.set("oidc_snippet",
        "import * as client from 'openid-client';\n\n"
        "const config = await client.discovery(\n"
        "  new URL('" + issuer + "'),\n"
        "  process.env.CLIENT_ID,\n"
        "  process.env.CLIENT_SECRET,\n"
        ");");
  d.set("settings_url", AppPath(app, "/settings"));
  d.set("keys_url", AppPath(app, "/api-keys"));
  d.set("clients_url", AppPath(app, "/clients"));
  d.set("users_url", AppPath(app, "/users"));
  d.set("members_url", AppPath(app, "/members"));
  d.set("audit_url", AppPath(app, "/audit"));
  return Render(req, a.v, "console_app", std::move(d), 200);
}

// ---- Settings ------------------------------------------------------------------------------

http::Response ConsolePages::ShowSettings(http::Request& req) {
  auto visit = EnterApp(req, nullptr);
  if (auto* r = std::get_if<http::Response>(&visit)) return std::move(*r);
  PageData d;
  SetNotice(d, QueryOf(req));
  return RenderSettings(req, std::get<AppVisitor>(visit), std::move(d), 200);
}

http::Response ConsolePages::RenderSettings(const http::Request& req, const AppVisitor& a,
                                            PageData d, unsigned status) {
  const store::App& app = a.app();
  AppBase(d, a, "Settings", "settings");
  d.set("heading", "Settings");
  const bool from_form = d.get("from_form") != nullptr;
  if (!from_form) {
    const store::AppSettings& s = app.settings;
    d.set("name", app.name);
    d.set("allow_signup", s.allow_signup);
    d.set("magic_link_login", s.magic_link_login);
    d.set("email_code_login", s.email_code_login);
    d.set("require_verified_email", s.require_verified_email);
    d.set("password_min_length", NumberText(s.password_min_length));
    d.set("access_token_ttl_s", NumberText(s.access_token_ttl_s));
    d.set("refresh_token_ttl_s", NumberText(s.refresh_token_ttl_s));
    d.set("redirect_uris", Join(s.redirect_uris, "\n"));
    d.set("display_name", s.display_name);
    d.set("form_logo_url", s.logo_url);
    d.set("accent_custom", !s.accent_color.empty());
    d.set("accent_color", s.accent_color.empty() ? std::string(kDefaultAccent) : Lowercase(s.accent_color));
    d.set("mail_sender_name", s.mail_sender_name);
    d.set("mail_from", s.mail_from);
  }
  d.set("action", AppPath(app, "/settings"));
  d.set("default_password_min_length", std::to_string(accounts_.options().password.min_length));
  d.set("default_refresh_ttl", std::to_string(refresh_ttl_s_));
  d.set("preview_url", web_.Issuer(app) + "/login");
  return Render(req, a.v, "console_settings", std::move(d), status);
}

http::Response ConsolePages::SaveSettings(http::Request& req) {
  Form form;
  auto visit = EnterApp(req, &form);
  if (auto* r = std::get_if<http::Response>(&visit)) return std::move(*r);
  const AppVisitor& a = std::get<AppVisitor>(visit);
  store::AppSettings s = a.app().settings;
  std::vector<FieldError> errors;
  const std::string name = Field(form, "name", 400);
  if (name.empty()) errors.push_back({"name", "the app needs a name"});
  s.allow_signup = Checked(form, "allow_signup");
  s.magic_link_login = Checked(form, "magic_link_login");
  s.email_code_login = Checked(form, "email_code_login");
  s.require_verified_email = Checked(form, "require_verified_email");
  auto number = [&](const char* field, std::string_view what) -> int64_t {
    auto n = WholeNumber(http::FormValue(form, field));
    if (!n) {
      errors.push_back({field, "enter a whole number of " + std::string(what) + ", or leave it blank"});
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

  auto fail = [&](const std::vector<FieldError>& field_errors, unsigned status) {
    PageData d;
    d.set("from_form", true);
    d.set("name", name);
    for (const char* f : {"allow_signup", "magic_link_login", "email_code_login",
                          "require_verified_email", "accent_custom"}) {
      d.set(f, Checked(form, f));
    }
    for (const char* f : {"password_min_length", "access_token_ttl_s", "refresh_token_ttl_s",
                          "redirect_uris", "display_name", "mail_sender_name", "mail_from"}) {
      d.set(f, Field(form, f, 4096));
    }
    // (Not "logo_url": that is the layout's, the console's own logo.)
    d.set("form_logo_url", Field(form, "logo_url", 4096));
    std::string accent = Lowercase(Field(form, "accent_color", 16));
    d.set("accent_color", accent.size() == 7 && accent[0] == '#' ? accent : std::string(kDefaultAccent));
    std::vector<std::string> others = SetFieldErrors(d, field_errors, kSettingsFields);
    d.set("error", others.empty() ? "Nothing was saved: please check the highlighted fields."
                                  : "Nothing was saved: " + Join(others, "; ") + ".");
    return RenderSettings(req, a, std::move(d), status);
  };

  // Show every problem at once: the form's own and the settings' rules.
  if (Status valid = services::ValidateAppSettings(s); !valid.ok()) {
    for (const auto& e : valid.field_errors()) errors.push_back(e);
  }
  if (!errors.empty()) return fail(errors, 400);
  auto updated = web_.apps().Update(a.app().slug, name, s, a.v.actor);
  if (updated.ok()) return Done(AppPath(a.app(), "/settings"), "settings");
  if (updated.status().code() == StatusCode::kInvalidArgument) {
    return fail(updated.status().field_errors(), 400);
  }
  if (updated.status().IsNotFound()) return NotFound(req, a.v);
  return Unavailable(req, a.v);
}

}  // namespace tessera::web
