#include "web/admin_pages.h"

#include "web/console_common.h"

namespace tessera::web {
namespace {

namespace bh = http::beast_http;
using namespace console;

}  // namespace

void AdminPages::Mount(http::Router& r, const ConsoleGates& gates) {
  r.Add(bh::verb::get, "/admin", gates.WithOperator(Bind(this, &AdminPages::Home)));
  r.Add(bh::verb::post, "/admin/apps/{slug}/disable",
        gates.WithOperator(Bind(this, &AdminPages::DisableApp)));
  r.Add(bh::verb::post, "/admin/apps/{slug}/enable",
        gates.WithOperator(Bind(this, &AdminPages::EnableApp)));
  r.Add(bh::verb::get, "/admin/audit", gates.WithOperator(Bind(this, &AdminPages::Audit)));
}

http::Response AdminPages::Home(http::Request& req, const ConsoleVisitor& v) {
  const PageUrls& urls = layout_.urls();
  auto apps = apps_.ListAll();
  if (!apps.ok()) return layout_.Unavailable(req, v);
  PageData d;
  layout_.Base(d, v, "Operator console", true);
  SetNotice(d, PageQuery(req));
  PageData rows = List();
  for (const auto& app : *apps) {
    PageData row;
    row.set("name", app.name);
    row.set("slug", app.slug);
    row.set("disabled", app.disabled);
    row.set("created", FormatTime(app.created_at));
    auto n = users_.Count(app);
    row.set("users", n.ok() ? std::to_string(*n) : std::string("—"));
    row.set("manage_url", urls.ConsolePath("/apps/" + app.slug));
    row.set("audit_url", urls.AdminPath("/audit") + QueryString({{"app", app.slug}}));
    const bool console_app = app.slug == services::kConsoleAppSlug;
    row.set("console_app", console_app);
    if (!console_app) {
      row.set(app.disabled ? "enable_action" : "disable_action",
              urls.AdminPath("/apps/" + app.slug + (app.disabled ? "/enable" : "/disable")));
    }
    rows.push_back(row);
  }
  d.set("apps", rows);
  d.set("audit_url", urls.AdminPath("/audit"));
  d.set("insights_url", urls.AdminPath("/insights"));  // web/console_insight_pages.cc
  return layout_.Render(req, v, "admin_home", std::move(d), 200);
}

http::Response AdminPages::DisableApp(http::Request& req, const ConsoleVisitor& v,
                                      const http::FormParams&) {
  return SetAppDisabled(req, v, true);
}

http::Response AdminPages::EnableApp(http::Request& req, const ConsoleVisitor& v,
                                     const http::FormParams&) {
  return SetAppDisabled(req, v, false);
}

http::Response AdminPages::SetAppDisabled(http::Request& req, const ConsoleVisitor& v,
                                          bool disabled) {
  const std::string& slug = req.Param("slug");
  const std::string admin = layout_.urls().AdminPath();
  // Disabling the console would lock every developer and operator out of the browser.
  if (slug == services::kConsoleAppSlug) return layout_.Done(admin, "console-app");
  auto app = apps_.SetDisabled(slug, disabled, v.actor);
  if (!app.ok()) return layout_.Failure(req, v, app.status());
  return layout_.Done(admin, disabled ? "app-disabled" : "app-enabled");
}

http::Response AdminPages::Audit(http::Request& req, const ConsoleVisitor& v) {
  const PageUrls& urls = layout_.urls();
  auto apps = apps_.ListAll();
  if (!apps.ok()) return layout_.Unavailable(req, v);
  PageData d;
  layout_.Base(d, v, "Audit log · Operator console", true);
  d.set("heading", "Audit log");
  const http::QueryParams query = PageQuery(req);
  std::string app_slug = Lowercase(Field(query, "app", 100));
  d.set("filter_app", app_slug);
  d.set("admin_url", urls.AdminPath());
  d.set("insights_url", urls.AdminPath("/insights"));
  store::AuditFilter filter;
  if (!app_slug.empty()) {
    auto app = apps_.Find(app_slug);
    if (!app.ok()) {
      if (!app.status().IsNotFound()) return layout_.Unavailable(req, v);
      d.set("events", List());
      d.set("filter_url", urls.AdminPath("/audit"));
      d.set("filtering", true);
      d.set("with_app", true);
      d.set("error", "There is no app with that slug.");
      return layout_.Render(req, v, "admin_audit", std::move(d), 200);
    }
    filter.app_id = app->id;
  }
  table_.Fill(v, std::move(filter), d, urls.AdminPath("/audit"), query, *apps, true);
  if (!app_slug.empty()) d.set("filtering", true);
  return layout_.Render(req, v, "admin_audit", std::move(d), 200);
}

}  // namespace tessera::web
