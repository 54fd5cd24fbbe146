#include "api/console_members_api.h"

#include <boost/json.hpp>

#include "api/user_management_handlers.h"
#include "api/views.h"
#include "http/json_body.h"
#include "http/problem.h"

namespace tessera::api {
namespace json = boost::json;
using http::Request;
using http::Response;
using http::beast_http::verb;

namespace {


json::object MemberJson(const services::MemberView& m) {
  return json::object{{"user_id", m.member.user_id},
                      {"email", m.email},
                      {"role", ToText(m.member.role)},
                      {"created_at", Rfc3339(m.member.created_at)}};
}

}  // namespace

void ConsoleMembersApi::Mount(http::Router& r) {
  const std::string members = "/api/console/apps/{slug}/members";
  r.Add(verb::get, members, [this](Request& req) { return ListMembers(req); });
  r.Add(verb::post, members, [this](Request& req) { return AddMember(req); });
  r.Add(verb::delete_, members + "/{user_id}", [this](Request& req) { return RemoveMember(req); });
}

Response ConsoleMembersApi::ListMembers(Request& req) {
  return caller_.InAccessibleApp(req, [&](const services::AppAccess& a, const services::Actor&) {
    auto members = console_.ListMembers(a);
    if (!members.ok()) return http::ProblemResponse(members.status());
    json::array out;
    for (const auto& m : *members) out.push_back(MemberJson(m));
    return http::JsonResponse(200, json::object{{"members", std::move(out)}});
  });
}

Response ConsoleMembersApi::AddMember(Request& req) {
  return caller_.InAccessibleApp(
      req, [&](const services::AppAccess& a, const services::Actor& actor) {
        std::string email, role;
        if (auto bad = http::ReadJson(req, [&](http::JsonBody& b) {
              email = b.String("email", true).value_or("");
              role = b.String("role").value_or(std::string(ToText(store::MemberRole::kMember)));
            })) {
          return *bad;
        }
        auto added = console_.AddMember(a, email, role, actor);
        if (!added.ok()) return http::ProblemResponse(added.status());
        return http::JsonResponse(201, MemberJson(*added));
      });
}

Response ConsoleMembersApi::RemoveMember(Request& req) {
  return caller_.InAccessibleApp(req,
                                 [&](const services::AppAccess& a, const services::Actor& actor) {
                                   const std::string& id = req.Param("user_id");
                                   if (!IsPlausibleId(id))
                                     return http::ProblemResponse(NotFoundError("no such member"));
                                   Status s = console_.RemoveMember(a, id, actor);
                                   return s.ok() ? http::NoContent() : http::ProblemResponse(s);
                                 });
}

}  // namespace tessera::api
