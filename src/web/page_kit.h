// File: page_kit.h
// The units every hosted page is made with, built once (app/ owns the kit) and shared by the
// page classes and the OAuth endpoints' pages: each unit is small and does one thing; the kit
// only holds them together with the services behind a request's app and browser session.
#pragma once

#include "audit/audit_log.h"
#include "http/message.h"
#include "http/query.h"
#include "mfa/factor_service.h"
#include "mfa/mfa_sign_in.h"
#include "sessions/browser_session_service.h"
#include "tenancy/app_service.h"
#include "web/csrf.h"
#include "web/page_renderer.h"
#include "web/page_urls.h"
#include "web/page_writer.h"
#include "web/session_cookie.h"

namespace tessera::web {

struct PageKit {
  PageKit(services::AppService& apps, services::BrowserSessionService& browser_sessions,
          const PageRenderer& renderer)
      : apps(apps),
        browser_sessions(browser_sessions),
        urls(apps),
        csrf(urls),
        session_cookie(browser_sessions, urls),
        pages(renderer, urls, csrf) {}
  PageKit(const PageKit&) = delete;
  PageKit& operator=(const PageKit&) = delete;

  services::AppService& apps;
  services::BrowserSessionService& browser_sessions;
  const PageUrls urls;
  const CsrfGuard csrf;
  const SessionCookie session_cookie;
  const PageWriter pages;
  // Second factors: every hosted sign-in asks for one when the user has any (app/ sets these;
  // null only in tests of pages without them).
  services::MfaSignIn* mfa = nullptr;
  services::FactorService* factors = nullptr;
};

// Who sent the request, for the audit log and the sign-in throttle.
services::ClientInfo ClientOf(const http::Request& req);

// The query of a page's URL; a malformed one (a bad escape, a repeated parameter) reads as
// none: the page then shows what it shows without one.
http::QueryParams PageQuery(const http::Request& req);

}  // namespace tessera::web
