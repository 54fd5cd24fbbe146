#include "http/cookie.h"

namespace tessera::http {

std::optional<std::string> GetCookie(const Request& request, std::string_view name) {
  auto [first, last] = request.raw.equal_range(beast_http::field::cookie);
  for (auto field = first; field != last; ++field) {
    std::string_view header(field->value());
    while (!header.empty()) {
      size_t end = header.find(';');
      std::string_view pair = header.substr(0, end);
      header = end == std::string_view::npos ? std::string_view() : header.substr(end + 1);
      while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
      size_t eq = pair.find('=');
      if (eq == std::string_view::npos || pair.substr(0, eq) != name) continue;
      std::string_view value = pair.substr(eq + 1);
      while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        value = value.substr(1, value.size() - 2);
      }
      return std::string(value);
    }
  }
  return std::nullopt;
}

void SetCookie(Response& response, std::string_view name, std::string_view value,
               const CookieOptions& o) {
  std::string c = std::string(name) + "=" + std::string(value) + "; Path=" + o.path;
  if (o.max_age_s) c += "; Max-Age=" + std::to_string(*o.max_age_s);
  if (o.secure) c += "; Secure";
  if (o.http_only) c += "; HttpOnly";
  if (!o.same_site.empty()) c += "; SameSite=" + o.same_site;
  response.WithHeader("Set-Cookie", std::move(c));
}

}  // namespace tessera::http
