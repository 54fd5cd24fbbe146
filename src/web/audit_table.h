// File: audit_table.h
// The audit log as a console page shows it: filters (action, actor, subject), 50 events a
// page newest first with an "Older" link, console users named by their email. The app
// pages of the developer console and the operators' audit page (which adds an app column)
// share it.
#pragma once

#include <map>
#include <string>

#include "accounts/account_service.h"
#include "audit/audit_log.h"
#include "http/query.h"
#include "web/console_visitor.h"
#include "web/page_writer.h"

namespace tessera::web {

class AuditTable {
 public:
  AuditTable(services::AuditLog& audit, services::AccountService& accounts)
      : audit_(audit), accounts_(accounts) {}

  // Sets the filter fields, the rows and the pager links of `query`'s page into `d`, or an
  // error line when the log cannot be read. `app_slugs` (app id → slug) adds the app column.
  void Fill(const ConsoleVisitor& v, store::AuditFilter filter, PageData& d,
            const std::string& base_path, const http::QueryParams& query,
            const std::map<std::string, std::string>* app_slugs) const;

 private:
  services::AuditLog& audit_;
  services::AccountService& accounts_;  // console users' emails, for the actor column
};

}  // namespace tessera::web
