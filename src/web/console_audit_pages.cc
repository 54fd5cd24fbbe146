#include "web/console_audit_pages.h"

#include "web/console_common.h"

namespace tessera::web {

void ConsoleAuditPages::Mount(http::Router& r, const ConsoleGates& gates) {
  r.Add(http::beast_http::verb::get, "/console/apps/{slug}/audit",
        gates.WithAppVisitor(Bind(this, &ConsoleAuditPages::AppAudit)));
}

http::Response ConsoleAuditPages::AppAudit(http::Request& req, const AppVisitor& a) {
  PageData d;
  layout_.AppBase(d, a, "Audit log", "audit");
  d.set("heading", "Audit log");
  store::AuditFilter filter;
  filter.app_id = a.app().id;
  table_.Fill(a.visitor, std::move(filter), d, layout_.AppPath(a.app(), "/audit"), PageQuery(req),
              {a.app()}, false);
  return layout_.Render(req, a.visitor, "console_audit", std::move(d), 200);
}

}  // namespace tessera::web
