#include "api/console_audit_api.h"

#include "api/user_management_handlers.h"
#include "http/problem.h"
#include "http/query.h"

namespace tessera::api {

void ConsoleAuditApi::Mount(http::Router& r) {
  r.Add(http::beast_http::verb::get, "/api/console/apps/{slug}/audit-events",
        [this](http::Request& req) { return ListAuditEvents(req); });
}

http::Response ConsoleAuditApi::ListAuditEvents(http::Request& req) {
  return caller_.InAccessibleApp(req, [&](const services::AppAccess& a, const services::Actor&) {
    auto query = http::ReadKnownQuery(req, kAuditQuery);
    if (!query.ok()) return http::ProblemResponse(query.status());
    auto filter = AuditFilterOf(*query);
    if (!filter.ok()) return http::ProblemResponse(filter.status());
    filter->app_id = a.app.id;
    return AuditEventsResponse(audit_, *filter);
  });
}

}  // namespace tessera::api
