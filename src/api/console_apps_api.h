// File: console_apps_api.h
// The console API's apps, under /api/console/apps: the caller's apps, create one (the
// caller becomes its owner), read one, and change its name and settings.
#pragma once

#include <boost/json/object.hpp>

#include "api/console_caller.h"
#include "http/router.h"
#include "tenancy/app_service.h"
#include "tenancy/developer_console_service.h"

namespace tessera::api {

class ConsoleAppsApi {
 public:
  ConsoleAppsApi(const ConsoleCaller& caller, services::AppService& apps,
                 services::DeveloperConsoleService& console)
      : caller_(caller), apps_(apps), console_(console) {}
  void Mount(http::Router& router);

 private:
  http::Response ListApps(http::Request& req);
  http::Response CreateApp(http::Request& req);
  http::Response GetApp(http::Request& req);
  http::Response PatchApp(http::Request& req);
  // {slug, name, disabled, role, issuer, discovery_url, created_at, settings}.
  boost::json::object AppDetail(const store::App& app, services::AccessRole role) const;

  const ConsoleCaller& caller_;
  services::AppService& apps_;
  services::DeveloperConsoleService& console_;
};

}  // namespace tessera::api
