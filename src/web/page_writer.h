// File: page_writer.h
// Writes the hosted pages' responses: a page rendered with the fields every page has (app
// name and branding, asset base, CSRF token), as HTML that is never cached, with the pages'
// CSP (our stylesheets only, no script, images from us and the app's logo origin) and
// Referrer-Policy; and the pages every flow shares — the error page, the result ("message")
// page, 404 for an unknown app, 403 for a failed CSRF check — and the 303 after a form.
#pragma once

#include <kainjow/mustache.hpp>
#include <string>
#include <string_view>

#include "http/message.h"
#include "tenancy/tenancy_records.h"
#include "web/csrf.h"
#include "web/page_renderer.h"
#include "web/page_urls.h"

namespace tessera::web {

using PageData = kainjow::mustache::data;

class PageWriter {
 public:
  PageWriter(const PageRenderer& renderer, const PageUrls& urls, const CsrfGuard& csrf)
      : renderer_(renderer), urls_(urls), csrf_(csrf) {}

  // templates/<page>.mustache with the common fields filled in over `data`.
  http::Response Page(const http::Request& req, const store::App& app, std::string_view page,
                      PageData data, unsigned status = 200) const;
  // The friendly error page; `app` may be null (an unknown app).
  http::Response ErrorPage(const http::Request& req, const store::App* app, unsigned status,
                           std::string_view heading, std::string_view message) const;
  // 503 "Something went wrong": the store or a service failed; the detail is in the log.
  http::Response Unavailable(const http::Request& req, const store::App* app) const;
  // A result page ("message" template), with an optional link onwards.
  http::Response Message(const http::Request& req, const store::App& app, unsigned status,
                         std::string_view heading, std::string_view message, bool success,
                         std::string_view link_url = "", std::string_view link_text = "") const;
  // The 404 page for an {app} that does not exist (or is disabled).
  http::Response UnknownApp(const http::Request& req) const;
  // The 403 page for a form whose CSRF check failed.
  http::Response CsrfRejected(const http::Request& req, const store::App& app) const;

 private:
  const PageRenderer& renderer_;
  const PageUrls& urls_;
  const CsrfGuard& csrf_;
};

// 303 See Other: after a POST the browser follows with a GET.
http::Response Redirect(const std::string& location);

}  // namespace tessera::web
