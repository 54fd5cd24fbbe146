// File: console_audit_pages.h
// The developer console's audit log page of an app.
#pragma once

#include "http/router.h"
#include "web/audit_table.h"
#include "web/console_gates.h"
#include "web/console_layout.h"

namespace tessera::web {

class ConsoleAuditPages {
 public:
  ConsoleAuditPages(const ConsoleLayout& layout, const AuditTable& table)
      : layout_(layout), table_(table) {}
  void Mount(http::Router& router, const ConsoleGates& gates);

 private:
  http::Response AppAudit(http::Request& req, const AppVisitor& a);

  const ConsoleLayout& layout_;
  const AuditTable& table_;
};

}  // namespace tessera::web
