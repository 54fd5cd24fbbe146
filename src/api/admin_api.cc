#include "api/admin_api.h"

#include <boost/json.hpp>

#include "api/user_management_handlers.h"
#include "api/views.h"
#include "http/json_body.h"
#include "http/problem.h"
#include "http/query.h"

namespace tessera::api {
namespace json = boost::json;
using http::Request;
using http::Response;
using http::beast_http::verb;

void AdminApi::Mount(http::Router& r) {
  r.Add(verb::get, "/api/admin/apps", [this](Request& req) { return ListApps(req); });
  r.Add(verb::post, "/api/admin/apps/{slug}/disable",
        [this](Request& req) { return SetDisabled(req, true); });
  r.Add(verb::post, "/api/admin/apps/{slug}/enable",
        [this](Request& req) { return SetDisabled(req, false); });
  r.Add(verb::get, "/api/admin/audit-events",
        [this](Request& req) { return ListAuditEvents(req); });
}

Response AdminApi::ListApps(Request& req) {
  return caller_.AsOperator(req, [&](const store::User&, const services::Actor&) {
    auto apps = apps_.ListAll();
    if (!apps.ok()) return http::ProblemResponse(apps.status());
    json::array out;
    for (const auto& app : *apps) {
      auto count = users_.Count(app);
      if (!count.ok()) return http::ProblemResponse(count.status());
      json::object v = AppSummaryView(app, apps_.IssuerFor(app.slug));
      v["user_count"] = *count;
      out.push_back(std::move(v));
    }
    return http::JsonResponse(200, json::object{{"apps", std::move(out)}});
  });
}

Response AdminApi::SetDisabled(Request& req, bool disabled) {
  return caller_.AsOperator(req, [&](const store::User&, const services::Actor& actor) {
    if (auto bad = http::ReadJson(req, [](http::JsonBody&) {}, {.allow_empty = true})) return *bad;
    const std::string& slug = req.Param("slug");
    if (disabled && slug == services::kConsoleAppSlug) {
      // Disabling the console would lock every operator out of this API.
      return http::ProblemResponse(FailedPreconditionError("the console app cannot be disabled"));
    }
    auto app = apps_.SetDisabled(slug, disabled, actor);
    if (!app.ok()) return http::ProblemResponse(app.status());
    auto count = users_.Count(*app);
    if (!count.ok()) return http::ProblemResponse(count.status());
    json::object v = AppSummaryView(*app, apps_.IssuerFor(app->slug));
    v["user_count"] = *count;
    return http::JsonResponse(200, v);
  });
}

Response AdminApi::ListAuditEvents(Request& req) {
  return caller_.AsOperator(req, [&](const store::User&, const services::Actor&) {
    std::vector<std::string_view> known = kAuditQuery;
    known.push_back("app");
    auto query = http::ReadKnownQuery(req, known);
    if (!query.ok()) return http::ProblemResponse(query.status());
    auto filter = AuditFilterOf(*query);
    if (!filter.ok()) return http::ProblemResponse(filter.status());
    if (auto it = query->find("app"); it != query->end() && !it->second.empty()) {
      auto app = apps_.Find(it->second);
      if (app.status().IsNotFound()) {
        return http::ProblemResponse(ValidationError({{"app", "no such app"}}));
      }
      if (!app.ok()) return http::ProblemResponse(app.status());
      filter->app_id = app->id;
    }
    return AuditEventsResponse(audit_, *filter);
  });
}

}  // namespace tessera::api
