// File: web_context.h
// What every hosted page (and the authorization endpoint, which is one in disguise) needs:
// the signed-in browser session from its cookie, CSRF protection, and rendering a page with
// the headers pages must carry.
//
// CSRF: a double-submit token. The first page sets a random `tessera_csrf` cookie
// (`__Host-` prefixed, Secure, when PUBLIC_URL is https: no other origin can plant it);
// every form echoes it in `csrf_token`, which must equal the cookie (constant-time), and a
// request whose Origin is another site's is refused even with a matching token.
#pragma once

#include <kainjow/mustache.hpp>

#include <map>
#include <optional>
#include <string>

#include "http/message.h"
#include "accounts/account_service.h"
#include "tenancy/app_service.h"
#include "sessions/browser_session_service.h"
#include "accounts/user_records.h"
#include "sessions/session_records.h"
#include "tenancy/tenancy_records.h"
#include "web/page_renderer.h"

namespace tessera::web {

using PageData = kainjow::mustache::data;

class WebContext {
 public:
  WebContext(services::AppService& apps, services::BrowserSessionService& sessions,
             const PageRenderer& renderer);

  // The live browser session of the request, if any.
  std::optional<store::Session> CurrentSession(const store::App& app, const http::Request& req);
  void SetSessionCookie(http::Response& res, const store::App& app, const std::string& value) const;
  void ClearSessionCookie(http::Response& res, const store::App& app) const;

  // True when `form` carries the request's CSRF token and the request is same-origin.
  bool CsrfOk(const http::Request& req, const std::map<std::string, std::string>& form) const;

  // Renders `page` with the common fields (title, app_name, asset_base, csrf_token) filled in;
  // HTML, never cached, with the pages' CSP. The app's branding (services/app_settings.h)
  // comes along: app_name is its display name, `logo_url` its logo (the CSP then allows
  // images from that one origin) and `branding_css` the URL of its accent-colour stylesheet.
  http::Response Page(const http::Request& req, const store::App& app, std::string_view page,
                      PageData data, unsigned status = 200) const;
  // The friendly error page; `app` may be null (unknown app).
  http::Response ErrorPage(const http::Request& req, const store::App* app, unsigned status,
                           std::string_view heading, std::string_view message) const;
  // Starts a browser session for `user` (a fresh cookie; the session this browser had ends)
  // and redirects to `return_to` (already checked by SafeReturnTo) or HomePath(app).
  http::Response SignIn(const http::Request& req, const store::App& app, const store::User& user,
                        const std::string& return_to);
  // A result page ("message" template).
  http::Response Message(const http::Request& req, const store::App& app, unsigned status,
                         std::string_view heading, std::string_view message, bool success,
                         std::string_view link_url = "", std::string_view link_text = "") const;
  // The 404 page for an {app} that does not exist (or is disabled).
  http::Response UnknownApp(const http::Request& req) const;
  // The 403 page for a form whose CSRF check failed.
  http::Response CsrfRejected(const http::Request& req, const store::App& app) const;
  // 303 See Other: after a POST the browser follows with a GET.
  static http::Response Redirect(const std::string& location);

  // {PUBLIC_URL}/apps/{slug} and the URL path of a page under it.
  std::string Issuer(const store::App& app) const { return apps_.IssuerFor(app.slug); }
  std::string PagePath(const store::App& app, std::string_view page) const;
  // Where a signed-in user goes by default: the account page, or for the console app the
  // developer console ({PUBLIC_URL}/console).
  std::string HomePath(const store::App& app) const;
  // The URL path of a console page: ConsolePath("/apps/x") = {path of PUBLIC_URL}/console/apps/x.
  std::string ConsolePath(std::string_view rest = "") const { return path_base_ + "/console" + std::string(rest); }
  std::string AdminPath(std::string_view rest = "") const { return path_base_ + "/admin" + std::string(rest); }
  const std::string& path_base() const { return path_base_; }
  // A return_to that stays inside this app's pages (no open redirect); "" otherwise. For the
  // console app the console's own pages (/console…, /admin…) are allowed too.
  std::string SafeReturnTo(const store::App& app, std::string_view return_to) const;

  // GET /apps/{app}/branding.css: the app's accent colour as CSS custom properties (only a
  // validated #rrggbb ever reaches it), with the text colours that keep WCAG AA contrast.
  http::Response BrandingCss(const http::Request& req) const;
  // Turns a path of this server into an absolute URL.
  std::string Absolute(std::string_view path) const;

  static services::ClientInfo ClientOf(const http::Request& req);
  services::AppService& apps() const { return apps_; }
  services::BrowserSessionService& sessions() const { return sessions_; }

 private:
  std::string CsrfCookieName() const;
  std::string SessionCookieName(const store::App& app) const;
  std::string CsrfTokenFor(const http::Request& req, http::Response* set_on) const;

  services::AppService& apps_;
  services::BrowserSessionService& sessions_;
  const PageRenderer& renderer_;
  bool secure_;            // PUBLIC_URL is https: Secure cookies with the __Host- prefix
  std::string origin_;     // scheme://host[:port] of PUBLIC_URL
  std::string path_base_;  // the path of PUBLIC_URL ("" at the root)
};

// Reads an application/x-www-form-urlencoded POST body; nullopt when it is not one.
std::optional<std::map<std::string, std::string>> ReadForm(const http::Request& req);

}  // namespace tessera::web
