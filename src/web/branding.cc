#include "web/branding.h"

#include "base/uri_rules.h"
#include "crypto/digest.h"
#include "tenancy/app_settings.h"
#include "web/accent_colors.h"

namespace tessera::web {
namespace {

std::string Lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return out;
}

// The first character of `name` (a whole UTF-8 sequence), upper-cased when ASCII.
std::string Initial(std::string_view name) {
  if (name.empty()) return "";
  size_t n = 1;
  while (n < name.size() && (static_cast<unsigned char>(name[n]) & 0xC0) == 0x80) ++n;
  std::string out(name.substr(0, n));
  if (out[0] >= 'a' && out[0] <= 'z') out[0] = static_cast<char>(out[0] - 32);
  return out;
}

}  // namespace

PageBranding BrandingOf(const store::App& app, const PageUrls& urls) {
  const store::AppSettings& settings = app.settings;
  PageBranding b;
  b.display_name = store::DisplayName(settings, app.name);
  b.initial = Initial(b.display_name);
  b.logo_origin = LogoOrigin(settings.logo_url);
  if (b.logo_origin) b.logo_url = settings.logo_url;
  if (IsHexColor(settings.accent_color) && !app.slug.empty()) {
    b.stylesheet_url = urls.PagePath(app, "branding.css?v=") +
                       crypto::Sha256Hex(Lowercase(settings.accent_color)).substr(0, 12);
  }
  return b;
}

http::Response BrandingStylesheet(services::AppService& apps, const http::Request& req) {
  auto app = apps.Resolve(req.Param("app"));
  if (!app.ok()) {
    return app.status().IsNotFound()
               ? http::TextResponse(404, "text/plain; charset=utf-8", "not found")
               : http::TextResponse(503, "text/plain; charset=utf-8", "try again later");
  }
  const store::AppSettings& settings = app->settings;
  std::string css = "/* This app has no accent colour of its own. */\n";
  if (IsHexColor(settings.accent_color)) css = AccentStylesheet(Lowercase(settings.accent_color));
  std::string etag = "\"" + crypto::Sha256Hex(css).substr(0, 16) + "\"";
  if (req.Header(http::beast_http::field::if_none_match) == etag) {
    http::Response r;
    r.status = 304;
    r.WithHeader("ETag", etag);
    r.WithHeader("Cache-Control", "public, max-age=300");
    return r;
  }
  http::Response r = http::TextResponse(200, "text/css; charset=utf-8", std::move(css));
  r.WithHeader("ETag", etag);
  // Pages link it with ?v=<hash of the colour>: a new colour is a new URL at once; the short
  // lifetime only bounds what an old link keeps.
  r.WithHeader("Cache-Control", "public, max-age=300");
  return r;
}

}  // namespace tessera::web
