#include "web/console_layout.h"

#include "web/console_common.h"

namespace tessera::web {

void ConsoleLayout::Base(PageData& d, const ConsoleVisitor& v, std::string title,
                         bool admin) const {
  const PageUrls& urls = kit_.urls;
  d.set("title", std::move(title));
  d.set("console_layout", true);
  d.set("nav_home_url", urls.ConsolePath());
  if (v.is_operator) d.set("nav_admin_url", urls.AdminPath());
  d.set("nav_in_console", !admin);
  d.set("nav_in_admin", admin);
  d.set("nav_account_url", urls.PagePath(v.console, "account"));
  d.set("nav_user", v.user.email);
  d.set("nav_logout_action", urls.PagePath(v.console, "logout"));
}

void ConsoleLayout::AppBase(PageData& d, const AppVisitor& a, std::string title,
                            std::string_view section) const {
  Base(d, a.visitor, std::move(title) + " · " + a.app().name);
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
  constexpr Tab kTabs[] = {{"Overview", "", "overview"},
                           {"Insights", "/insights", "insights"},
                           {"Settings", "/settings", "settings"},
                           {"API keys", "/api-keys", "api-keys"},
                           {"OAuth clients", "/clients", "clients"},
                           {"Sign-in providers", "/sign-in-providers", "sign-in-providers"},
                           {"Webhooks", "/webhooks", "webhooks"},
                           {"Users", "/users", "users"},
                           {"Members", "/members", "members"},
                           {"Audit log", "/audit", "audit"}};
  PageData tabs = console::List();
  for (const Tab& t : kTabs) {
    PageData tab;
    tab.set("label", t.label);
    tab.set("url", AppPath(a.app(), t.path));
    tab.set("current", section == t.key);
    tabs.push_back(tab);
  }
  d.set("tabs", tabs);
}

http::Response ConsoleLayout::Render(const http::Request& req, const ConsoleVisitor& v,
                                     std::string_view page, PageData data, unsigned status) const {
  // The consoles are for developers and operators: English, whatever the browser prefers.
  data.set("page_locale", std::string("en"));
  return kit_.pages.Page(req, v.console, page, std::move(data), status);
}

http::Response ConsoleLayout::NotFound(const http::Request& req, const ConsoleVisitor& v) const {
  PageData d;
  Base(d, v, "Not found");
  d.set("heading", "Not found");
  d.set("message", "There is nothing here, or it is not yours to see.");
  d.set("request_id", req.request_id);
  d.set("back_url", kit_.urls.ConsolePath());
  return Render(req, v, "error", std::move(d), 404);
}

http::Response ConsoleLayout::Unavailable(const http::Request& req, const ConsoleVisitor& v) const {
  PageData d;
  Base(d, v, "Something went wrong");
  d.set("heading", "Something went wrong");
  d.set("message", "Please try again in a moment.");
  d.set("request_id", req.request_id);
  return Render(req, v, "error", std::move(d), 503);
}

http::Response ConsoleLayout::Failure(const http::Request& req, const ConsoleVisitor& v,
                                      const Status& status) const {
  return status.IsNotFound() ? NotFound(req, v) : Unavailable(req, v);
}

http::Response ConsoleLayout::Done(const std::string& path, std::string_view what) const {
  const char joint = path.find('?') == std::string::npos ? '?' : '&';
  return Redirect(kit_.urls.Absolute(path + joint + "done=" + std::string(what)));
}

std::string ConsoleLayout::AppPath(const store::App& app, std::string_view rest) const {
  return kit_.urls.ConsolePath("/apps/" + app.slug + std::string(rest));
}

}  // namespace tessera::web
