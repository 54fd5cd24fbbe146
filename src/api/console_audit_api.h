// File: console_audit_api.h
// The console API's audit log of an app, GET /api/console/apps/{slug}/audit-events (the
// filters and paging of every audit query: user_management_handlers.h).
#pragma once

#include "api/console_caller.h"
#include "audit/audit_log.h"
#include "http/router.h"

namespace tessera::api {

class ConsoleAuditApi {
 public:
  ConsoleAuditApi(const ConsoleCaller& caller, services::AuditLog& audit)
      : caller_(caller), audit_(audit) {}
  void Mount(http::Router& router);

 private:
  http::Response ListAuditEvents(http::Request& req);

  const ConsoleCaller& caller_;
  services::AuditLog& audit_;
};

}  // namespace tessera::api
