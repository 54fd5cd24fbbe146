// File: session_cookie.h
// The browser session of the hosted pages, carried by a cookie: one per app (a person may be
// signed in to several apps of one Tessera), HttpOnly, SameSite=Lax, `__Host-` prefixed and
// Secure when PUBLIC_URL is https. The cookie holds a random id; the server keeps its hash
// (sessions/browser_session_service.h), whose idle and absolute timeouts decide its life.
#pragma once

#include <optional>
#include <string>

#include "http/message.h"
#include "sessions/browser_session_service.h"
#include "sessions/session_records.h"
#include "tenancy/tenancy_records.h"
#include "web/page_urls.h"

namespace tessera::web {

class SessionCookie {
 public:
  SessionCookie(services::BrowserSessionService& sessions, const PageUrls& urls)
      : sessions_(sessions), urls_(urls) {}

  // The live browser session of the request, if any (a lookup failure is logged and reads
  // as none).
  std::optional<store::Session> Current(const store::App& app, const http::Request& req) const;
  void Set(http::Response& res, const store::App& app, const std::string& value) const;
  void Clear(http::Response& res, const store::App& app) const;

 private:
  std::string Name(const store::App& app) const;

  services::BrowserSessionService& sessions_;
  const PageUrls& urls_;
};

}  // namespace tessera::web
