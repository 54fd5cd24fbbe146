// File: branding.h
// An app's branding on its hosted pages (tenancy/app_settings.h): its display name, its logo
// (only an https URL base/uri_rules accepts; the pages' CSP then allows images from that one
// origin) and its accent colour, linked as {issuer}/branding.css?v=<hash of the colour>.
#pragma once

#include <optional>
#include <string>

#include "http/message.h"
#include "tenancy/app_service.h"
#include "tenancy/tenancy_records.h"
#include "web/page_urls.h"

namespace tessera::web {

struct PageBranding {
  std::string display_name;
  std::string logo_url;                    // "" without a valid logo
  std::string initial;                     // the display name's first letter: what a logo
                                           // that fails to load leaves in its place (CSS)
  std::optional<std::string> logo_origin;  // the logo's origin, for the CSP
  std::string stylesheet_url;              // "" without an accent colour
};

PageBranding BrandingOf(const store::App& app, const PageUrls& urls);

// GET /apps/{app}/branding.css: the app's accent colour as CSS custom properties (only a
// validated #rrggbb ever reaches it), with an ETag and a short cache lifetime.
http::Response BrandingStylesheet(services::AppService& apps, const http::Request& req);

}  // namespace tessera::web
