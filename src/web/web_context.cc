#include "web/web_context.h"

#include <boost/url/parse.hpp>

#include "base/log.h"
#include "crypto/digest.h"
#include "crypto/random.h"
#include "http/cookie.h"
#include "http/form.h"

namespace tessera::web {
namespace {

constexpr std::string_view kCsrfPrefix = "tcsrf_";
constexpr std::string_view kPageCsp =
    "default-src 'none'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
    "base-uri 'none'";

bool LooksLikeCsrfToken(std::string_view v) {
  return v.size() > kCsrfPrefix.size() && v.size() <= 64 && v.rfind(kCsrfPrefix, 0) == 0;
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
  data.set("app_name", app.name);
  data.set("asset_base", path_base_ + "/assets");
  data.set("csrf_token", CsrfTokenFor(req, &res));
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
  res.WithHeader("Content-Security-Policy", std::string(kPageCsp));
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
  if (auto old = CurrentSession(app, req)) (void)sessions_.End(app, *old, "replaced");
  std::string target = return_to.empty() ? PagePath(app, "account") : return_to;
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

std::string WebContext::SafeReturnTo(const store::App& app, std::string_view r) const {
  std::string prefix = path_base_ + "/apps/" + app.slug + "/";
  if (r.size() > 4096 || r.rfind(prefix, 0) != 0) return "";
  for (char c : r) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x21 || u == 0x7f || c == '\\') return "";  // no CR/LF, spaces or backslashes
  }
  if (r.find("/..") != std::string_view::npos || r.find("//") != std::string_view::npos) return "";
  return std::string(r);
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
