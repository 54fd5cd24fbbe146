// The operators' console, {PUBLIC_URL}/admin: every app with its user count and a switch to
// disable it, and the audit log across apps. Only console users with the operator role get
// these pages; for everyone else they are the same 404 as a page that does not exist.
#include "http/form.h"
#include "web/console_common.h"
#include "web/console_pages.h"
#include "web/login_pages.h"

namespace tessera::web {

using namespace console;

http::Response ConsolePages::AdminHome(http::Request& req) {
  auto visit = EnterAdmin(req, nullptr);
  if (auto* r = std::get_if<http::Response>(&visit)) return std::move(*r);
  const Visitor& v = std::get<Visitor>(visit);
  auto apps = web_.apps().ListAll();
  if (!apps.ok()) return Unavailable(req, v);
  PageData d;
  Base(d, v, "Operator console", true);
  SetNotice(d, QueryOf(req));
  PageData rows = List();
  for (const auto& app : *apps) {
    PageData row;
    row.set("name", app.name);
    row.set("slug", app.slug);
    row.set("disabled", app.disabled);
    row.set("created", FormatTime(app.created_at));
    auto n = users_.Count(app);
    row.set("users", n.ok() ? std::to_string(*n) : std::string("—"));
    row.set("manage_url", web_.ConsolePath("/apps/" + app.slug));
    row.set("audit_url", web_.AdminPath("/audit") + QueryString({{"app", app.slug}}));
    const bool console_app = app.slug == services::kConsoleAppSlug;
    row.set("console_app", console_app);
    if (!console_app) {
      row.set(app.disabled ? "enable_action" : "disable_action",
              web_.AdminPath("/apps/" + app.slug + (app.disabled ? "/enable" : "/disable")));
    }
    rows.push_back(row);
  }
  d.set("apps", rows);
  d.set("audit_url", web_.AdminPath("/audit"));
  return Render(req, v, "admin_home", std::move(d), 200);
}

http::Response ConsolePages::AdminSetAppDisabled(http::Request& req, bool disabled) {
  Form form;
  auto visit = EnterAdmin(req, &form);
  if (auto* r = std::get_if<http::Response>(&visit)) return std::move(*r);
  const Visitor& v = std::get<Visitor>(visit);
  const std::string& slug = req.Param("slug");
  // Disabling the console would lock every developer and operator out of the browser.
  if (slug == services::kConsoleAppSlug) return Done(web_.AdminPath(), "console-app");
  auto app = web_.apps().SetDisabled(slug, disabled, v.actor);
  if (!app.ok()) return app.status().IsNotFound() ? NotFound(req, v) : Unavailable(req, v);
  return Done(web_.AdminPath(), disabled ? "app-disabled" : "app-enabled");
}

http::Response ConsolePages::AdminAudit(http::Request& req) {
  auto visit = EnterAdmin(req, nullptr);
  if (auto* r = std::get_if<http::Response>(&visit)) return std::move(*r);
  const Visitor& v = std::get<Visitor>(visit);
  auto apps = web_.apps().ListAll();
  if (!apps.ok()) return Unavailable(req, v);
  std::map<std::string, std::string> slugs;
  for (const auto& app : *apps) slugs.emplace(app.id, app.slug);
  PageData d;
  Base(d, v, "Audit log · Operator console", true);
  d.set("heading", "Audit log");
  auto query = QueryOf(req).value_or(Form{});
  std::string app_slug = Lowercase(Field(query, "app", 100));
  d.set("filter_app", app_slug);
  d.set("admin_url", web_.AdminPath());
  store::AuditFilter filter;
  if (!app_slug.empty()) {
    auto app = web_.apps().Find(app_slug);
    if (!app.ok()) {
      if (!app.status().IsNotFound()) return Unavailable(req, v);
      d.set("events", List());
      d.set("filter_url", web_.AdminPath("/audit"));
      d.set("filtering", true);
      d.set("with_app", true);
      d.set("error", "There is no app with that slug.");
      return Render(req, v, "admin_audit", std::move(d), 200);
    }
    filter.app_id = app->id;
  }
  FillAudit(v, std::move(filter), d, web_.AdminPath("/audit"), query, &slugs);
  if (!app_slug.empty()) d.set("filtering", true);
  return Render(req, v, "admin_audit", std::move(d), 200);
}

}  // namespace tessera::web
