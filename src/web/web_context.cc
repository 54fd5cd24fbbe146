#include "web/web_context.h"

#include "base/uri_rules.h"

#include <boost/url/parse.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

#include "base/log.h"
#include "crypto/digest.h"
#include "crypto/random.h"
#include "http/cookie.h"
#include "http/form.h"
#include "tenancy/app_settings.h"
#include "oauth/client_service.h"
#include "tenancy/developer_console_service.h"

namespace tessera::web {
namespace {

constexpr std::string_view kCsrfPrefix = "tcsrf_";

bool LooksLikeCsrfToken(std::string_view v) {
  return v.size() > kCsrfPrefix.size() && v.size() <= 64 && v.rfind(kCsrfPrefix, 0) == 0;
}

// The pages' CSP: our stylesheets only, no script at all, images from us (and data: icons)
// plus, when the app has a logo, that logo's one origin.
std::string PageCsp(const std::optional<std::string>& logo_origin) {
  std::string img = "img-src 'self' data:";
  if (logo_origin) img += " " + *logo_origin;
  return "default-src 'none'; style-src 'self'; " + img + "; frame-ancestors 'none'; base-uri 'none'";
}

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

bool IsHexColor(std::string_view c) {
  return c.size() == 7 && c[0] == '#' &&
         c.find_first_not_of("0123456789abcdefABCDEF", 1) == std::string_view::npos;
}

using Rgb = std::array<double, 3>;  // 0..255

Rgb ParseColor(std::string_view hex) {
  Rgb c{};
  for (int i = 0; i < 3; ++i) {
    c[i] = static_cast<double>(std::stoi(std::string(hex.substr(1 + 2 * i, 2)), nullptr, 16));
  }
  return c;
}

// WCAG 2.x relative luminance and contrast ratio.
double Luminance(const Rgb& c) {
  double l[3];
  for (int i = 0; i < 3; ++i) {
    double s = c[i] / 255.0;
    l[i] = s <= 0.04045 ? s / 12.92 : std::pow((s + 0.055) / 1.055, 2.4);
  }
  return 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2];
}

double Contrast(const Rgb& a, const Rgb& b) {
  double la = Luminance(a), lb = Luminance(b);
  return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

Rgb Mix(const Rgb& a, const Rgb& b, double t) {
  return {a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t};
}

std::string Hex(const Rgb& c) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", static_cast<int>(std::lround(c[0])),
                static_cast<int>(std::lround(c[1])), static_cast<int>(std::lround(c[2])));
  return buf;
}

std::string Rgba(const Rgb& c, double alpha) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "rgba(%d, %d, %d, %.2f)", static_cast<int>(std::lround(c[0])),
                static_cast<int>(std::lround(c[1])), static_cast<int>(std::lround(c[2])), alpha);
  return buf;
}

// The stylesheet of an accent colour: buttons take it with whichever text colour (white or
// black) contrasts more; links, focus rings and emphasis take it only where it keeps WCAG AA
// against the card of the colour scheme (4.5:1 for text, 3:1 for the ring), else they keep
// Tessera's own.
std::string BrandingStylesheet(std::string_view accent) {
  const Rgb c = ParseColor(accent);
  const Rgb white{255, 255, 255}, black{0, 0, 0};
  const bool white_text = Contrast(c, white) >= 4.5 || Contrast(c, white) >= Contrast(c, black);
  const Rgb toward = white_text ? black : white;  // hover/active move away from the text colour
  std::string css = "/* The app's accent colour, from its settings in the console. */\n:root {\n";
  css += "  --brand: " + Hex(c) + ";\n";
  css += "  --primary: " + Hex(c) + ";\n";
  css += "  --primary-hover: " + Hex(Mix(c, toward, 0.14)) + ";\n";
  css += "  --primary-active: " + Hex(Mix(c, toward, 0.26)) + ";\n";
  css += "  --on-primary: " + std::string(white_text ? "#ffffff" : "#000000") + ";\n}\n";
  struct Scheme {
    const char* media;
    Rgb card;
    double glow;
  };
  for (const Scheme& s : {Scheme{"light", white, 0.07}, Scheme{"dark", Rgb{0x18, 0x18, 0x1b}, 0.12}}) {
    css += "@media (prefers-color-scheme: " + std::string(s.media) + ") {\n  :root {\n";
    css += "    --bg-glow: " + Rgba(c, s.glow) + ";\n";
    if (Contrast(c, s.card) >= 4.5) css += "    --link: " + Hex(c) + ";\n";
    if (Contrast(c, s.card) >= 3.0) {
      css += "    --ring: " + Hex(c) + ";\n";
      css += "    --ring-halo: " + Rgba(c, 0.2) + ";\n";
    }
    css += "  }\n}\n";
  }
  return css;
}

}  // namespace

WebContext::WebContext(services::AppService& apps, services::BrowserSessionService& sessions,
                       const PageRenderer& renderer)
    : apps_(apps), sessions_(sessions), renderer_(renderer) {
  auto url = boost::urls::parse_absolute_uri(apps.public_url());
  if (url) {
    secure_ = url->scheme() == "https";
    origin_ = std::string(url->scheme()) + "://" + std::string(url->encoded_authority());
    path_base_ = std::string(url->encoded_path());
    while (!path_base_.empty() && path_base_.back() == '/') path_base_.pop_back();
  } else {
    secure_ = false;
  }
}

std::string WebContext::CsrfCookieName() const {
  return secure_ ? "__Host-tessera_csrf" : "tessera_csrf";
}

std::string WebContext::SessionCookieName(const store::App& app) const {
  // One cookie per app: a person may be signed in to several apps of one Tessera.
  return (secure_ ? "__Host-tessera_session_" : "tessera_session_") + app.slug;
}

std::optional<store::Session> WebContext::CurrentSession(const store::App& app,
                                                         const http::Request& req) {
  auto cookie = http::GetCookie(req, SessionCookieName(app));
  if (!cookie) return std::nullopt;
  auto s = sessions_.Resolve(app, *cookie);
  if (!s.ok()) {
    if (!s.status().IsNotFound()) {
      LogJson(spdlog::level::warn, "browser_session_lookup_failed", {{"error", s.status().ToString()}});
    }
    return std::nullopt;
  }
  return std::move(*s);
}

void WebContext::SetSessionCookie(http::Response& res, const store::App& app,
                                  const std::string& value) const {
  // A session cookie (no Max-Age): the server-side idle and absolute timeouts decide.
  http::SetCookie(res, SessionCookieName(app), value, {secure_, true, "Lax", "/", std::nullopt});
}

void WebContext::ClearSessionCookie(http::Response& res, const store::App& app) const {
  http::SetCookie(res, SessionCookieName(app), "", {secure_, true, "Lax", "/", 0});
}

std::string WebContext::CsrfTokenFor(const http::Request& req, http::Response* set_on) const {
  auto cookie = http::GetCookie(req, CsrfCookieName());
  if (cookie && LooksLikeCsrfToken(*cookie)) return *cookie;
  std::string token = std::string(kCsrfPrefix) +
                      crypto::NewSecretToken("").substr(0, 43);
  if (set_on) http::SetCookie(*set_on, CsrfCookieName(), token, {secure_, true, "Lax", "/", std::nullopt});
  return token;
}

bool WebContext::CsrfOk(const http::Request& req,
                        const std::map<std::string, std::string>& form) const {
  std::string_view origin = req.Header(http::beast_http::field::origin);
  std::string_view fetch_site = req.Header("Sec-Fetch-Site");
  // Browsers send "Origin: null" for a form whose page forbade referrers; the browser's own
  // Sec-Fetch-Site (which no page can set) then vouches that it is ours.
  bool null_but_same_origin = origin == "null" && fetch_site == "same-origin";
  if (!origin.empty() && origin != origin_ && !null_but_same_origin) return false;
  if (fetch_site == "cross-site" || fetch_site == "same-site") return false;
  auto cookie = http::GetCookie(req, CsrfCookieName());
  auto field = form.find("csrf_token");
  if (!cookie || !LooksLikeCsrfToken(*cookie) || field == form.end()) return false;
  return crypto::ConstantTimeEquals(*cookie, field->second);
}

http::Response WebContext::Page(const http::Request& req, const store::App& app,
                                std::string_view page, PageData data, unsigned status) const {
  http::Response res;
  res.status = status;
  const store::AppSettings& settings = app.settings;
  data.set("app_name", store::DisplayName(settings, app.name));
  data.set("asset_base", path_base_ + "/assets");
  data.set("csrf_token", CsrfTokenFor(req, &res));
  std::optional<std::string> logo_origin = LogoOrigin(settings.logo_url);
  data.set("logo_url", logo_origin ? settings.logo_url : std::string());
  if (IsHexColor(settings.accent_color) && !app.slug.empty()) {
    std::string accent;
    for (char c : settings.accent_color) accent += Lower(c);
    data.set("branding_css", path_base_ + "/apps/" + app.slug + "/branding.css?v=" +
                                 crypto::Sha256Hex(accent).substr(0, 12));
  }
  auto html = renderer_.Render(page, std::move(data));
  if (!html.ok()) {
    LogJson(spdlog::level::err, "page_render_failed", {{"page", page}, {"error", html.status().ToString()}});
    res.status = 500;
    res.content_type = "text/plain; charset=utf-8";
    res.body = "internal error";
    return res;
  }
  res.content_type = "text/html; charset=utf-8";
  res.body = std::move(*html);
  res.WithHeader("Content-Security-Policy", PageCsp(logo_origin));
  // Our own forms then carry a real Origin (with no-referrer, browsers send "null"), while
  // other sites still learn nothing (no Referer leaves for another origin).
  res.WithHeader("Referrer-Policy", "same-origin");
  return res;
}

http::Response WebContext::ErrorPage(const http::Request& req, const store::App* app,
                                     unsigned status, std::string_view heading,
                                     std::string_view message) const {
  PageData d;
  d.set("title", std::string(heading));
  d.set("heading", std::string(heading));
  d.set("message", std::string(message));
  d.set("request_id", req.request_id);
  if (app) return Page(req, *app, "error", std::move(d), status);
  store::App unknown;
  unknown.name = "Tessera";
  return Page(req, unknown, "error", std::move(d), status);
}

http::Response WebContext::SignIn(const http::Request& req, const store::App& app,
                                  const store::User& user, const std::string& return_to) {
  auto started = sessions_.Start(app, user, ClientOf(req));
  if (!started.ok()) {
    return ErrorPage(req, &app, 503, "Something went wrong", "Please try again in a moment.");
  }
  // The session this browser had (maybe another user's) ends: one person per cookie.
  if (auto old = CurrentSession(app, req))
    (void)sessions_.End(app, *old, store::RevokeReason::kReplaced);
  std::string target = return_to.empty() ? HomePath(app) : return_to;
  http::Response r = Redirect(Absolute(target));
  SetSessionCookie(r, app, started->cookie_value);
  LogJson(spdlog::level::info, "browser_login", {{"app", app.slug}, {"user_id", user.id},
                                                 {"session_id", started->session.id}});
  return r;
}

http::Response WebContext::Message(const http::Request& req, const store::App& app,
                                   unsigned status, std::string_view heading,
                                   std::string_view message, bool success,
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

http::Response WebContext::UnknownApp(const http::Request& req) const {
  return ErrorPage(req, nullptr, 404, "Not found", "There is no such app here.");
}

http::Response WebContext::CsrfRejected(const http::Request& req, const store::App& app) const {
  return ErrorPage(req, &app, 403, "Session expired",
                   "The form was open too long or came from another site. Go back, reload the "
                   "page and try again.");
}

http::Response WebContext::Redirect(const std::string& location) {
  http::Response r;
  r.status = 303;
  r.WithHeader("Location", location);
  return r;
}

std::string WebContext::PagePath(const store::App& app, std::string_view page) const {
  return path_base_ + "/apps/" + app.slug + "/" + std::string(page);
}

std::string WebContext::Absolute(std::string_view path) const { return origin_ + std::string(path); }

std::string WebContext::HomePath(const store::App& app) const {
  if (app.slug == services::kConsoleAppSlug) return ConsolePath();
  return PagePath(app, "account");
}

std::string WebContext::SafeReturnTo(const store::App& app, std::string_view r) const {
  if (r.size() > 4096) return "";
  std::string prefix = path_base_ + "/apps/" + app.slug + "/";
  bool inside = r.rfind(prefix, 0) == 0;
  if (!inside && app.slug == services::kConsoleAppSlug) {
    // The console's sign-in also leads back to the console's own pages, and only to them.
    for (const std::string& root : {ConsolePath(), AdminPath()}) {
      if (r.rfind(root, 0) == 0 &&
          (r.size() == root.size() || r[root.size()] == '/' || r[root.size()] == '?')) {
        inside = true;
      }
    }
  }
  if (!inside) return "";
  for (char c : r) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x21 || u == 0x7f || c == '\\') return "";  // no CR/LF, spaces or backslashes
  }
  if (r.find("/..") != std::string_view::npos || r.find("//") != std::string_view::npos) return "";
  // Browsers treat %2e as a dot in a path segment: no "/%2e%2e/" climbing out either.
  std::string_view path = r.substr(0, r.find('?'));
  for (size_t i = 0; i + 2 < path.size(); ++i) {
    if (path[i] == '%' && path[i + 1] == '2' && Lower(path[i + 2]) == 'e') return "";
  }
  return std::string(r);
}

http::Response WebContext::BrandingCss(const http::Request& req) const {
  auto app = apps_.Resolve(req.Param("app"));
  if (!app.ok()) {
    return app.status().IsNotFound()
               ? http::TextResponse(404, "text/plain; charset=utf-8", "not found")
               : http::TextResponse(503, "text/plain; charset=utf-8", "try again later");
  }
  const store::AppSettings& settings = app->settings;
  std::string css = "/* This app has no accent colour of its own. */\n";
  if (IsHexColor(settings.accent_color)) {
    std::string accent;
    for (char c : settings.accent_color) accent += Lower(c);
    css = BrandingStylesheet(accent);
  }
  std::string etag = "\"" + crypto::Sha256Hex(css).substr(0, 16) + "\"";
  if (req.Header(http::beast_http::field::if_none_match) == etag) {
    http::Response r;
    r.status = 304;
    r.WithHeader("ETag", etag);
    r.WithHeader("Cache-Control", "public, max-age=300");
    return r;
  }
  http::Response r = http::TextResponse(200, "text/css; charset=utf-8", std::move(css));
  r.WithHeader("ETag", etag);
  // Pages link it with ?v=<hash of the colour>: a new colour is a new URL at once; the short
  // lifetime only bounds what an old link keeps.
  r.WithHeader("Cache-Control", "public, max-age=300");
  return r;
}

services::ClientInfo WebContext::ClientOf(const http::Request& req) {
  return {req.remote_ip, std::string(req.Header(http::beast_http::field::user_agent))};
}

std::optional<std::map<std::string, std::string>> ReadForm(const http::Request& req) {
  if (!http::IsFormContentType(req.Header(http::beast_http::field::content_type))) {
    return std::nullopt;
  }
  auto form = http::ParseForm(req.body());
  if (!form.ok()) return std::nullopt;
  return std::move(*form);
}

}  // namespace tessera::web
