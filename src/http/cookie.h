// File: cookie.h
// Cookies (RFC 6265): reading one from a request's Cookie header(s) and writing Set-Cookie.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "http/message.h"

namespace tessera::http {

// The value of the first cookie called `name`, or nullopt.
std::optional<std::string> GetCookie(const Request& request, std::string_view name);

struct CookieOptions {
  bool secure = false;
  bool http_only = true;
  std::string same_site = "Lax";
  std::string path = "/";
  std::optional<int64_t> max_age_s;  // nullopt: a session cookie
};

// Adds a Set-Cookie header; max_age 0 deletes the cookie.
void SetCookie(Response& response, std::string_view name, std::string_view value,
               const CookieOptions& options);

}  // namespace tessera::http
