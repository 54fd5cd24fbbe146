#include "web/landing_pages.h"

#include "http/problem.h"

namespace tessera::web {
namespace {

namespace bh = http::beast_http;

// The pages outside any app wear Tessera's own name (as the unknown-app error page does).
store::App Unbranded() {
  store::App app;
  app.name = "Tessera";
  return app;
}

// "/apps/{slug}/…" → slug; "" elsewhere. Only the shape of the path: nothing is looked up.
std::string SlugInPath(std::string_view path) {
  constexpr std::string_view kApps = "/apps/";
  if (path.substr(0, kApps.size()) != kApps) return "";
  std::string_view rest = path.substr(kApps.size());
  std::string_view slug = rest.substr(0, rest.find('/'));
  if (slug.empty() || slug.size() > 64 ||
      slug.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string_view::npos) {
    return "";
  }
  return std::string(slug);
}

}  // namespace

bool WantsHtml(const http::Request& req) {
  return req.Header(bh::field::accept).find("text/html") != std::string_view::npos;
}

void LandingPages::Mount(http::Router& r, const PageGates& gates) {
  r.Add(bh::verb::get, "/", [this](http::Request& req) { return Home(req); });
  // The issuer URL: a page for people; tools keep the 404 problem they had.
  http::Handler app_home = gates.WithApp(Bind(this, &LandingPages::AppHome));
  r.Add(bh::verb::get, "/apps/{app}", [this, app_home](http::Request& req) {
    return WantsHtml(req) ? app_home(req) : NotFound(req);
  });
}

http::Response LandingPages::Home(http::Request& req) {
  if (!WantsHtml(req)) return NotFound(req);
  PageData d;
  d.set("title", "Tessera");
  const std::string& base = kit_.urls.path_base();
  d.set("console_url", kit_.urls.ConsolePath());
  d.set("docs_url", base + "/api/docs");
  d.set("health_url", base + "/healthz");
  return kit_.pages.Page(req, Unbranded(), "landing", std::move(d));
}

http::Response LandingPages::AppHome(http::Request& req, const store::App& app) {
  PageData d;
  d.set("title", kit_.pages.TextsFor(req, &app)("pages.app_home_title"));
  d.set("login_url", kit_.urls.PagePath(app, "login"));
  d.set("account_url", kit_.urls.PagePath(app, "account"));
  if (app.settings.allow_signup) d.set("signup_url", kit_.urls.PagePath(app, "signup"));
  return kit_.pages.Page(req, app, "app_home", std::move(d));
}

http::Response LandingPages::NotFound(const http::Request& req) const {
  if (!WantsHtml(req)) return http::Problem(404, "not-found", "Not found", "no such endpoint");
  const std::string slug = SlugInPath(req.path);
  auto app = slug.empty() ? Result<store::App>(NotFoundError("no app")) : kit_.apps.Resolve(slug);
  const i18n::Texts t = kit_.pages.TextsFor(req, app.ok() ? &*app : nullptr);
  PageData d;
  d.set("title", t("pages.not_found_heading"));
  d.set("heading", t("pages.not_found_heading"));
  d.set("message", t("pages.not_found_message"));
  d.set("request_id", req.request_id);
  if (app.ok()) {
    d.set("back_url", kit_.urls.PagePath(*app, "login"));
    d.set("back_text", t("pages.go_to_sign_in"));
    return kit_.pages.Page(req, *app, "error", std::move(d), 404);
  }
  d.set("back_url", kit_.urls.path_base() + "/");
  d.set("back_text", t("pages.go_to_start"));
  return kit_.pages.Page(req, Unbranded(), "error", std::move(d), 404);
}

}  // namespace tessera::web
