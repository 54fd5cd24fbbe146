#include "web/csrf.h"

#include "crypto/digest.h"
#include "crypto/random.h"
#include "http/cookie.h"

namespace tessera::web {
namespace {

constexpr std::string_view kTokenPrefix = "tcsrf_";

bool LooksLikeToken(std::string_view v) {
  return v.size() > kTokenPrefix.size() && v.size() <= 64 && v.rfind(kTokenPrefix, 0) == 0;
}

}  // namespace

std::string CsrfGuard::CookieName() const {
  return urls_.secure() ? "__Host-tessera_csrf" : "tessera_csrf";
}

std::string CsrfGuard::TokenFor(const http::Request& req, http::Response* set_on) const {
  auto cookie = http::GetCookie(req, CookieName());
  if (cookie && LooksLikeToken(*cookie)) return *cookie;
  std::string token = std::string(kTokenPrefix) + crypto::NewSecretToken("").substr(0, 43);
  if (set_on) {
    http::SetCookie(*set_on, CookieName(), token, {urls_.secure(), true, "Lax", "/", std::nullopt});
  }
  return token;
}

bool CsrfGuard::Check(const http::Request& req, const http::FormParams& form) const {
  std::string_view origin = req.Header(http::beast_http::field::origin);
  std::string_view fetch_site = req.Header("Sec-Fetch-Site");
  // Browsers send "Origin: null" for a form whose page forbade referrers; the browser's own
  // Sec-Fetch-Site (which no page can set) then vouches that it is ours.
  bool null_but_same_origin = origin == "null" && fetch_site == "same-origin";
  if (!origin.empty() && origin != urls_.origin() && !null_but_same_origin) return false;
  if (fetch_site == "cross-site" || fetch_site == "same-site") return false;
  auto cookie = http::GetCookie(req, CookieName());
  auto field = form.find("csrf_token");
  if (!cookie || !LooksLikeToken(*cookie) || field == form.end()) return false;
  return crypto::ConstantTimeEquals(*cookie, field->second);
}

}  // namespace tessera::web
