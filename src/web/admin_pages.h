// File: admin_pages.h
// The operators' console, {PUBLIC_URL}/admin: every app with its user count and a switch to
// disable it, and the audit log across apps (Insights across apps, /admin/insights, is
// web/console_insight_pages.h; these pages link to it). Only console users with the operator role get
// these pages; for everyone else they are the same 404 as a page that does not exist.
#pragma once

#include "http/router.h"
#include "management/user_management_service.h"
#include "tenancy/app_service.h"
#include "web/audit_table.h"
#include "web/console_gates.h"
#include "web/console_layout.h"

namespace tessera::web {

class AdminPages {
 public:
  AdminPages(const ConsoleLayout& layout, services::AppService& apps,
             services::UserManagementService& users, const AuditTable& table)
      : layout_(layout), apps_(apps), users_(users), table_(table) {}
  void Mount(http::Router& router, const ConsoleGates& gates);

 private:
  http::Response Home(http::Request& req, const ConsoleVisitor& v);
  http::Response DisableApp(http::Request& req, const ConsoleVisitor& v,
                            const http::FormParams& form);
  http::Response EnableApp(http::Request& req, const ConsoleVisitor& v,
                           const http::FormParams& form);
  http::Response SetAppDisabled(http::Request& req, const ConsoleVisitor& v, bool disabled);
  http::Response Audit(http::Request& req, const ConsoleVisitor& v);

  const ConsoleLayout& layout_;
  services::AppService& apps_;
  services::UserManagementService& users_;  // user counts
  const AuditTable& table_;
};

}  // namespace tessera::web
