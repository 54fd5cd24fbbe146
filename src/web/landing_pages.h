// File: landing_pages.h
// What a browser finds where there is no hosted page of a flow (issue 13, item 6): a small
// landing page at `/` (the console, the API docs, health), a page at an app's issuer URL
// `/apps/{app}` naming the app with its sign-in and account links, and the 404 for a path no
// route knows — an HTML page for a browser (Accept: text/html), the JSON problem for anyone
// else (APIs keep their answer).
#pragma once

#include "http/message.h"
#include "http/router.h"
#include "web/page_gates.h"
#include "web/page_kit.h"

namespace tessera::web {

// Whether the request asks for a page (its Accept header names text/html), not data.
bool WantsHtml(const http::Request& req);

class LandingPages {
 public:
  explicit LandingPages(const PageKit& kit) : kit_(kit) {}
  void Mount(http::Router& router, const PageGates& gates);

  // The answer to a request no route matched: under /apps/{app}/ a page of that app (its
  // branding, a link to its sign-in page), else Tessera's own.
  http::Response NotFound(const http::Request& req) const;

 private:
  http::Response Home(http::Request& req);
  http::Response AppHome(http::Request& req, const store::App& app);

  const PageKit& kit_;
};

}  // namespace tessera::web
