#include "web/page_writer.h"

#include "base/log.h"
#include "web/branding.h"

namespace tessera::web {
namespace {

// The pages' CSP: our stylesheets only, no script at all, images from us (and data: icons)
// plus, when the app has a logo, that logo's one origin.
// `script`: the page runs its first-party script (static/passkeys.js on the passkey pages,
// static/form_post.js on a form_post answer; from /assets: 'self', never inline); every other
// page runs none.
std::string PageCsp(const std::optional<std::string>& logo_origin, bool script) {
  std::string img = "img-src 'self' data:";
  if (logo_origin) img += " " + *logo_origin;
  return "default-src 'none'; style-src 'self'; " + std::string(script ? "script-src 'self'; " : "") +
         img + "; frame-ancestors 'none'; base-uri 'none'";
}

}  // namespace

http::Response PageWriter::Page(const http::Request& req, const store::App& app,
                                std::string_view page, PageData data, unsigned status) const {
  http::Response res;
  res.status = status;
  const PageBranding branding = BrandingOf(app, urls_);
  data.set("app_name", branding.display_name);
  data.set("asset_base", urls_.AssetBase());
  data.set("csrf_token", csrf_.TokenFor(req, &res));
  data.set("logo_url", branding.logo_url);
  data.set("app_initial", branding.initial);
  if (!branding.stylesheet_url.empty()) data.set("branding_css", branding.stylesheet_url);
  const bool script = data.get("page_script") != nullptr;
  auto html = renderer_.Render(page, std::move(data));
  if (!html.ok()) {
    LogJson(spdlog::level::err, "page_render_failed",
            {{"page", page}, {"error", html.status().ToString()}});
    res.status = 500;
    res.content_type = "text/plain; charset=utf-8";
    res.body = "internal error";
    return res;
  }
  res.content_type = "text/html; charset=utf-8";
  res.body = std::move(*html);
  res.WithHeader("Content-Security-Policy",
                 PageCsp(branding.logo_origin, script));
  // Our own forms then carry a real Origin (with no-referrer, browsers send "null"), while
  // other sites still learn nothing (no Referer leaves for another origin).
  res.WithHeader("Referrer-Policy", "same-origin");
  return res;
}

http::Response PageWriter::ErrorPage(const http::Request& req, const store::App* app,
                                     unsigned status, std::string_view heading,
                                     std::string_view message) const {
  PageData d;
  d.set("title", std::string(heading));
  d.set("heading", std::string(heading));
  d.set("message", std::string(message));
  d.set("request_id", req.request_id);
  // Never a dead end: the app's sign-in page, or the server's start page.
  d.set("back_url", app ? urls_.PagePath(*app, "login") : urls_.path_base() + "/");
  d.set("back_text", app ? "Go to sign in" : "Go to the start page");
  if (app) return Page(req, *app, "error", std::move(d), status);
  store::App unknown;
  unknown.name = "Tessera";
  return Page(req, unknown, "error", std::move(d), status);
}

http::Response PageWriter::Unavailable(const http::Request& req, const store::App* app) const {
  return ErrorPage(req, app, 503, "Something went wrong", "Please try again in a moment.");
}

http::Response PageWriter::Message(const http::Request& req, const store::App& app, unsigned status,
                                   std::string_view heading, std::string_view message, bool success,
                                   std::string_view link_url, std::string_view link_text) const {
  PageData d;
  d.set("title", std::string(heading));
  d.set("heading", std::string(heading));
  d.set("message", std::string(message));
  d.set("success", success);
  if (!link_url.empty()) {
    d.set("link_url", std::string(link_url));
    d.set("link_text", std::string(link_text));
  }
  return Page(req, app, "message", std::move(d), status);
}

http::Response PageWriter::UnknownApp(const http::Request& req) const {
  return ErrorPage(req, nullptr, 404, "Not found", "There is no such app here.");
}

http::Response PageWriter::CsrfRejected(const http::Request& req, const store::App& app) const {
  return ErrorPage(req, &app, 403, "Session expired",
                   "The form was open too long or came from another site. Go back, reload the "
                   "page and try again.");
}

http::Response Redirect(const std::string& location) {
  http::Response r;
  r.status = 303;
  r.WithHeader("Location", location);
  return r;
}

}  // namespace tessera::web
