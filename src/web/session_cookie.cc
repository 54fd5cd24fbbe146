#include "web/session_cookie.h"

#include "base/log.h"
#include "http/cookie.h"

namespace tessera::web {

std::string SessionCookie::Name(const store::App& app) const {
  return (urls_.secure() ? "__Host-tessera_session_" : "tessera_session_") + app.slug;
}

std::optional<store::Session> SessionCookie::Current(const store::App& app,
                                                     const http::Request& req) const {
  auto cookie = http::GetCookie(req, Name(app));
  if (!cookie) return std::nullopt;
  auto s = sessions_.Resolve(app, *cookie);
  if (!s.ok()) {
    if (!s.status().IsNotFound()) {
      LogJson(spdlog::level::warn, "browser_session_lookup_failed",
              {{"error", s.status().ToString()}});
    }
    return std::nullopt;
  }
  return std::move(*s);
}

void SessionCookie::Set(http::Response& res, const store::App& app,
                        const std::string& value) const {
  // A session cookie (no Max-Age): the server-side idle and absolute timeouts decide.
  http::SetCookie(res, Name(app), value, {urls_.secure(), true, "Lax", "/", std::nullopt});
}

void SessionCookie::Clear(http::Response& res, const store::App& app) const {
  http::SetCookie(res, Name(app), "", {urls_.secure(), true, "Lax", "/", 0});
}

}  // namespace tessera::web
