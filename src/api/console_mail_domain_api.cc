#include "api/console_mail_domain_api.h"

#include <boost/json.hpp>

#include "http/problem.h"

namespace tessera::api {
namespace json = boost::json;
using http::Request;
using http::Response;
using http::beast_http::verb;

json::object MailDomainView(const store::App& app,
                            const std::optional<services::MailDomainStanding>& standing) {
  json::object v{{"mail_from", app.settings.mail_from},
                 {"sender", standing && standing->may_send_from() ? "app" : "server"}};
  if (!standing) return v;
  v["domain"] = standing->domain;
  v["allowed_by_operator"] = standing->allowed_by_operator;
  v["verified"] = standing->verified;
  v["txt_record"] = json::object{{"name", standing->record_name},
                                 {"value", standing->record_value}};
  return v;
}

void ConsoleMailDomainApi::Mount(http::Router& r) {
  const std::string base = "/api/console/apps/{slug}/mail-domain";
  r.Add(verb::get, base, [this](Request& req) { return Get(req); });
  // A worker runs it (the default dispatch): the DNS lookup blocks up to its timeout.
  r.Add(verb::post, base + "/verify", [this](Request& req) { return Verify(req); });
}

Response ConsoleMailDomainApi::Get(Request& req) {
  return caller_.InAccessibleApp(req, [&](const services::AppAccess& a, const services::Actor&) {
    auto standing = domains_.Standing(a.app);
    if (!standing.ok()) return http::ProblemResponse(standing.status());
    return http::JsonResponse(200, MailDomainView(a.app, *standing));
  });
}

Response ConsoleMailDomainApi::Verify(Request& req) {
  return caller_.InAccessibleApp(req, [&](const services::AppAccess& a, const services::Actor&) {
    auto standing = domains_.Verify(a.app);
    if (standing.status().IsNotFound()) {
      return http::ProblemResponse(
          FailedPreconditionError("the app has no mail_from address to verify"));
    }
    if (!standing.ok()) return http::ProblemResponse(standing.status());
    return http::JsonResponse(200, MailDomainView(a.app, *standing));
  });
}

}  // namespace tessera::api
