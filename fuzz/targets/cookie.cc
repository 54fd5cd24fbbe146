// Cookies (http/cookie.h), as the session and CSRF cookies are read (web/session_cookie.cc,
// web/csrf.cc). The input's lines but the last are Cookie headers of one request; the last
// line is a value written with SetCookie and read back. Properties: a value read is one
// cookie's (no ';', found in a header); a cookie-octet value round-trips.
#include <algorithm>
#include <vector>

#include "fuzz_support.h"
#include "http/cookie.h"

namespace {

std::vector<std::string_view> Lines(std::string_view s) {
  std::vector<std::string_view> out;
  while (true) {
    size_t nl = s.find('\n');
    out.push_back(s.substr(0, nl));
    if (nl == std::string_view::npos) return out;
    s.remove_prefix(nl + 1);
  }
}

// RFC 6265 §4.1.1 cookie-octet: what a cookie value may hold unquoted.
bool IsCookieOctets(std::string_view v) {
  return std::all_of(v.begin(), v.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u == 0x21 || (u >= 0x23 && u <= 0x2B) || (u >= 0x2D && u <= 0x3A) ||
           (u >= 0x3C && u <= 0x5B) || (u >= 0x5D && u <= 0x7E);
  });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tessera;
  auto lines = Lines(fuzz::AsText(data, size));
  std::string_view written = lines.back();
  lines.pop_back();

  http::Request req = fuzz::RequestAt("/apps/default/login");
  for (auto line : lines) req.raw.insert(http::beast_http::field::cookie, line);
  for (std::string_view name : {"tessera_session_default", "__Host-tessera_csrf", "tessera_csrf"}) {
    auto value = http::GetCookie(req, name);
    if (!value) continue;
    FUZZ_CHECK(value->find(';') == std::string::npos, "a value is one cookie's");
    bool found = std::any_of(lines.begin(), lines.end(), [&](std::string_view l) {
      return l.find(*value) != std::string_view::npos;
    });
    FUZZ_CHECK(found, "the value comes from a Cookie header");
  }

  // What we set, the browser sends back: "name=value" up to the first ';' of Set-Cookie.
  http::Response res;
  http::SetCookie(res, "tessera_csrf", written, {});
  FUZZ_CHECK(res.headers.size() == 1, "one Set-Cookie");
  std::string pair = res.headers[0].second.substr(0, res.headers[0].second.find(';'));
  http::Request back = fuzz::RequestAt("/");
  back.raw.insert(http::beast_http::field::cookie, "other=1; " + pair + "; last=2");
  auto read = http::GetCookie(back, "tessera_csrf");
  if (IsCookieOctets(written)) {
    FUZZ_CHECK(read && *read == written, "a cookie-octet value round-trips");
  }
  return 0;
}
