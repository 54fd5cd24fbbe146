#include "web/asset_routes.h"

#include "web/branding.h"

namespace tessera::web {

void AssetRoutes::Mount(http::Router& r) {
  namespace bh = http::beast_http;
  r.Add(
      bh::verb::get, "/assets/{name}", [this](http::Request& q) { return Asset(q); },
      http::Dispatch::kInline);
  r.Add(bh::verb::get, "/apps/{app}/branding.css",
        [this](http::Request& q) { return BrandingStylesheet(apps_, q); });
}

http::Response AssetRoutes::Asset(const http::Request& req) const {
  const std::string& name = req.Param("name");
  auto body = renderer_.Static(name);
  if (!body) return http::TextResponse(404, "text/plain; charset=utf-8", "not found");
  std::string etag = "\"" + std::string(renderer_.css_etag()) + "\"";
  if (req.Header(http::beast_http::field::if_none_match) == etag) {
    http::Response r;
    r.status = 304;
    r.WithHeader("ETag", etag);
    return r;
  }
  http::Response r =
      http::TextResponse(200, std::string(PageRenderer::ContentType(name)), std::string(*body));
  r.WithHeader("ETag", etag);
  // Pages link it as tessera.css?v=<etag>: a new stylesheet is a new URL.
  r.WithHeader("Cache-Control", "public, max-age=31536000, immutable");
  return r;
}

}  // namespace tessera::web
