#include "web/page_urls.h"

#include <boost/url/parse.hpp>

#include "tenancy/app_service.h"

namespace tessera::web {

PageUrls::PageUrls(const services::AppService& apps) : apps_(apps) {
  auto url = boost::urls::parse_absolute_uri(apps.public_url());
  if (!url) return;
  secure_ = url->scheme() == "https";
  origin_ = std::string(url->scheme()) + "://" + std::string(url->encoded_authority());
  path_base_ = std::string(url->encoded_path());
  while (!path_base_.empty() && path_base_.back() == '/') path_base_.pop_back();
}

std::string PageUrls::PagePath(const store::App& app, std::string_view page) const {
  return path_base_ + "/apps/" + app.slug + "/" + std::string(page);
}

std::string PageUrls::HomePath(const store::App& app) const {
  if (app.slug == services::kConsoleAppSlug) return ConsolePath();
  return PagePath(app, "account");
}

std::string PageUrls::ConsolePath(std::string_view rest) const {
  return path_base_ + "/console" + std::string(rest);
}

std::string PageUrls::AdminPath(std::string_view rest) const {
  return path_base_ + "/admin" + std::string(rest);
}

}  // namespace tessera::web
