// URLs from outside: redirect URIs as registered (base/uri_rules.h IsValidRedirectUri) and as
// an authorization request names them (oauth/verified_redirect.h: exact match, or a loopback
// URI on another port), logo URLs that become a CSP source (LogoOrigin), and the sign-in
// pages' return_to (web/return_to.h, the open-redirect guard). The input is one URL.
// Properties: a valid redirect URI is printable ASCII without a fragment, https or loopback
// http or a private-use scheme; a verified redirect is registered or a loopback twin of one,
// and valid itself; a logo origin is only scheme://host[:port] characters; a return_to let
// through, resolved against the server's origin the way a browser does, stays on the server
// under the app's pages.
#include <boost/url.hpp>

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "base/uri_rules.h"
#include "fuzz_support.h"
#include "oauth/verified_redirect.h"
#include "tenancy/app_service.h"
#include "web/page_urls.h"
#include "web/return_to.h"

namespace {
using namespace tessera;

// PageUrls reads only the public URL of its AppService: the store is never called.
class NoAppStore final : public store::AppStore {
  Status CreateApp(const store::App&) override { return InternalError("unused"); }
  Status CreateAppWithOwner(const store::App&, const store::AppMember&) override {
    return InternalError("unused");
  }
  Result<store::App> GetAppBySlug(std::string_view) override { return InternalError("unused"); }
  Result<store::App> GetAppById(std::string_view) override { return InternalError("unused"); }
  Result<std::vector<store::App>> ListApps() override { return InternalError("unused"); }
  Status UpdateAppSettings(std::string_view, const store::AppSettings&) override {
    return InternalError("unused");
  }
  Result<store::App> UpdateApp(std::string_view, const std::function<Status(store::App&)>&) override {
    return InternalError("unused");
  }
};

struct Fixture {
  NoAppStore store;
  SystemClock clock;
  services::AppService apps{store, clock, "https://id.example/base"};
  web::PageUrls urls{apps};
  store::App app{.id = "a1", .slug = "default", .name = "Default"};
  store::App console{.id = "a2", .slug = "console", .name = "Console"};
  store::OAuthClient client{.client_id = "web",
                            .redirect_uris = {"https://rp.example/cb", "http://127.0.0.1/cb?x=1",
                                              "http://[::1]:8080/cb", "com.example.app:/cb",
                                              "http://localhost/"}};
};

bool PrintableAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

void CheckRedirectUri(std::string_view uri) {
  if (!IsValidRedirectUri(uri)) return;
  FUZZ_CHECK(PrintableAscii(uri), "a redirect URI is printable ASCII (nothing for a header)");
  FUZZ_CHECK(uri.find('#') == uri.npos, "no fragment");
  auto u = boost::urls::parse_absolute_uri(uri).value();
  if (u.scheme() == "http") FUZZ_CHECK(IsLoopbackHost(u.encoded_host()), "http on loopback only");
  if (u.scheme() != "http" && u.scheme() != "https") {
    FUZZ_CHECK(u.scheme().find('.') != std::string_view::npos, "a private-use scheme has a dot");
  }
}

void CheckVerifiedRedirect(const Fixture& f, std::string_view presented) {
  auto verified = services::VerifyRedirectUri(f.client, std::string(presented));
  if (!verified.ok()) return;
  const std::string& uri = verified->uri();
  FUZZ_CHECK(uri == presented, "answered where it asked");
  bool registered = std::find(f.client.redirect_uris.begin(), f.client.redirect_uris.end(), uri) !=
                    f.client.redirect_uris.end();
  if (!registered) {
    FUZZ_CHECK(uri.starts_with("http://"), "only a loopback URI may differ from the registered");
    auto u = boost::urls::parse_absolute_uri(uri).value();
    FUZZ_CHECK(IsLoopbackHost(u.encoded_host()) && !u.has_userinfo() && !u.has_fragment(),
               "a loopback twin: loopback host, no userinfo, no fragment");
  }
  FUZZ_CHECK(IsValidRedirectUri(uri), "a verified redirect is a valid redirect URI");
}

void CheckLogoOrigin(std::string_view url) {
  auto origin = LogoOrigin(url);
  if (!origin) return;
  FUZZ_CHECK(origin->starts_with("https://") || origin->starts_with("http://"), "a web origin");
  std::string_view rest = std::string_view(*origin).substr(origin->find("://") + 3);
  for (char c : rest) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
              c == ':' || c == '[' || c == ']';
    FUZZ_CHECK(ok, "a CSP source holds only host and port characters");
  }
}

// The path a browser requests for a path-absolute reference, as the WHATWG URL standard
// resolves it: "." and ".." segments (also written %2e) are applied, and %2F is not a
// separator. (Boost.URL 1.81's resolve() treats ".%2F.." as dot segments, which browsers
// do not, so it is not the oracle here.)
std::string BrowserPath(std::string_view ref) {
  std::string_view path = ref.substr(0, ref.find_first_of("?#"));
  std::vector<std::string> out;
  size_t start = 1;  // after the leading '/'
  while (true) {
    size_t slash = path.find('/', start);
    bool last = slash == std::string_view::npos;
    std::string seg(path.substr(start, last ? std::string_view::npos : slash - start));
    std::string lower = seg;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == ".." || lower == ".%2e" || lower == "%2e." || lower == "%2e%2e") {
      if (!out.empty()) out.pop_back();
      if (last) out.emplace_back();
    } else if (lower == "." || lower == "%2e") {
      if (last) out.emplace_back();
    } else {
      out.push_back(seg);
    }
    if (last) break;
    start = slash + 1;
  }
  std::string joined;
  for (const auto& seg : out) joined += "/" + seg;
  return joined.empty() ? "/" : joined;
}

void CheckReturnTo(const Fixture& f, const store::App& app, std::string_view r) {
  std::string safe = web::SafeReturnTo(f.urls, app, r);
  if (safe.empty()) return;
  FUZZ_CHECK(safe == r, "let through as it is");
  FUZZ_CHECK(safe.starts_with("/base/") && !safe.starts_with("//") &&
                 safe.find('\\') == std::string::npos,
             "a path of this server, never scheme-relative");
  if (auto ref = boost::urls::parse_uri_reference(safe)) {
    boost::urls::url resolved("https://id.example/base/apps/default/login");
    FUZZ_CHECK(!resolved.resolve(*ref).has_error(), "resolves");
    FUZZ_CHECK(resolved.encoded_host() == "id.example" && resolved.scheme() == "https",
               "a return_to stays on this server");
  }
  std::string path = BrowserPath(safe);
  bool inside = path.starts_with("/base/apps/" + app.slug + "/");
  if (app.slug == services::kConsoleAppSlug) {
    inside = inside || path == "/base/console" || path.starts_with("/base/console/") ||
             path == "/base/admin" || path.starts_with("/base/admin/");
  }
  FUZZ_CHECK(inside, "a return_to stays under the app's pages");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Fixture* f = new Fixture();
  std::string_view url = fuzz::AsText(data, size);
  CheckRedirectUri(url);
  CheckVerifiedRedirect(*f, url);
  CheckLogoOrigin(url);
  CheckReturnTo(*f, f->app, url);
  CheckReturnTo(*f, f->console, url);
  return 0;
}
