// File: page_urls.h
// The URLs of this server's pages, built from PUBLIC_URL (which may have a path:
// https://example.com/id → pages under /id/apps/…). Paths are what links and forms use;
// Absolute() makes the URL a redirect's Location needs.
#pragma once

#include <string>
#include <string_view>

#include "tenancy/app_service.h"
#include "tenancy/tenancy_records.h"

namespace tessera::web {

class PageUrls {
 public:
  explicit PageUrls(const services::AppService& apps);

  // PUBLIC_URL is https: cookies are Secure and __Host- prefixed.
  bool secure() const { return secure_; }
  // scheme://host[:port] of PUBLIC_URL: the one origin our own forms come from.
  const std::string& origin() const { return origin_; }
  // The path of PUBLIC_URL ("" at the root).
  const std::string& path_base() const { return path_base_; }
  const std::string& public_url() const { return apps_.public_url(); }

  // {PUBLIC_URL}/apps/{slug}.
  std::string Issuer(const store::App& app) const { return apps_.IssuerFor(app.slug); }
  // The path of a page of an app: PagePath(app, "login") = {path}/apps/{slug}/login.
  std::string PagePath(const store::App& app, std::string_view page) const;
  // Where a signed-in user goes by default: the account page, or for the console app the
  // developer console.
  std::string HomePath(const store::App& app) const;
  // ConsolePath("/apps/x") = {path}/console/apps/x; AdminPath likewise under /admin.
  std::string ConsolePath(std::string_view rest = "") const;
  std::string AdminPath(std::string_view rest = "") const;
  // The stylesheets and other static files: {path}/assets.
  std::string AssetBase() const { return path_base_ + "/assets"; }
  // A path of this server as an absolute URL.
  std::string Absolute(std::string_view path) const { return origin_ + std::string(path); }

 private:
  const services::AppService& apps_;
  bool secure_ = false;
  std::string origin_;
  std::string path_base_;
};

}  // namespace tessera::web
