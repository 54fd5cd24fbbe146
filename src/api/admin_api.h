// File: admin_api.h
// The operators' JSON API, under /api/admin (console users with the "admin" role only; 404
// for everyone else, as for an unknown endpoint): every app with its user count,
// disable/enable an app, and the audit log across apps.
#pragma once

#include "api/console_caller.h"
#include "audit/audit_log.h"
#include "http/router.h"
#include "management/user_management_service.h"
#include "tenancy/app_service.h"

namespace tessera::api {

class AdminApi {
 public:
  AdminApi(const ConsoleCaller& caller, services::AppService& apps,
           services::UserManagementService& users, services::AuditLog& audit)
      : caller_(caller), apps_(apps), users_(users), audit_(audit) {}
  void Mount(http::Router& router);

 private:
  http::Response ListApps(http::Request& req);
  http::Response SetDisabled(http::Request& req, bool disabled);
  http::Response ListAuditEvents(http::Request& req);

  const ConsoleCaller& caller_;
  services::AppService& apps_;
  services::UserManagementService& users_;  // user counts
  services::AuditLog& audit_;
};

}  // namespace tessera::api
