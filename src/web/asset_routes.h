// File: asset_routes.h
// The hosted pages' static files: {PUBLIC_URL}/assets/{name} (the stylesheet, embedded in the
// binary; immutable, its URL changes with its content) and each app's accent-colour
// stylesheet, {issuer}/branding.css (branding.h).
#pragma once

#include "http/router.h"
#include "tenancy/app_service.h"
#include "web/page_renderer.h"

namespace tessera::web {

class AssetRoutes {
 public:
  AssetRoutes(const PageRenderer& renderer, services::AppService& apps)
      : renderer_(renderer), apps_(apps) {}
  void Mount(http::Router& router);

 private:
  http::Response Asset(const http::Request& req) const;

  const PageRenderer& renderer_;
  services::AppService& apps_;
};

}  // namespace tessera::web
