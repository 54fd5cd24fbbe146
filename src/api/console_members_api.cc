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

json::object InvitationJson(const store::AppInvitation& i) {
  return json::object{{"id", i.id},
                      {"email", i.email},
                      {"role", ToText(i.role)},
                      {"created_at", Rfc3339(i.created_at)},
                      {"expires_at", Rfc3339(i.expires_at)}};
}

json::object MyInvitationJson(const services::InvitationView& v) {
  json::object o = InvitationJson(v.invitation);
  o["app"] = json::object{{"slug", v.app_slug}, {"name", v.app_name}};
  return o;
}

}  // namespace

void ConsoleMembersApi::Mount(http::Router& r) {
  const std::string members = "/api/console/apps/{slug}/members";
  r.Add(verb::get, members, [this](Request& req) { return ListMembers(req); });
  r.Add(verb::post, members, [this](Request& req) { return Invite(req); });
  r.Add(verb::delete_, members + "/{user_id}", [this](Request& req) { return RemoveMember(req); });
  const std::string invitations = "/api/console/apps/{slug}/invitations";
  r.Add(verb::get, invitations, [this](Request& req) { return ListInvitations(req); });
  r.Add(verb::delete_, invitations + "/{id}", [this](Request& req) { return RevokeInvitation(req); });
  const std::string mine = "/api/console/invitations";
  r.Add(verb::get, mine, [this](Request& req) { return ListMyInvitations(req); });
  r.Add(verb::post, mine + "/accept", [this](Request& req) { return Answer(req, true); });
  r.Add(verb::post, mine + "/decline", [this](Request& req) { return Answer(req, false); });
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

// The same answer (202, the invitation) whatever the address: nothing is looked up.
Response ConsoleMembersApi::Invite(Request& req) {
  return caller_.InAccessibleApp(
      req, [&](const services::AppAccess& a, const services::Actor& actor) {
        std::string email, role;
        if (auto bad = http::ReadJson(req, [&](http::JsonBody& b) {
              email = b.String("email", true).value_or("");
              role = b.String("role").value_or(std::string(ToText(store::MemberRole::kMember)));
            })) {
          return *bad;
        }
        auto invited = invitations_.Invite(a, email, role, actor);
        if (!invited.ok()) return http::ProblemResponse(invited.status());
        return http::JsonResponse(202, InvitationJson(*invited));
      });
}

Response ConsoleMembersApi::ListInvitations(Request& req) {
  return caller_.InAccessibleApp(req, [&](const services::AppAccess& a, const services::Actor&) {
    auto list = invitations_.ListForApp(a);
    if (!list.ok()) return http::ProblemResponse(list.status());
    json::array out;
    for (const auto& i : *list) out.push_back(InvitationJson(i));
    return http::JsonResponse(200, json::object{{"invitations", std::move(out)}});
  });
}

Response ConsoleMembersApi::RevokeInvitation(Request& req) {
  return caller_.InAccessibleApp(
      req, [&](const services::AppAccess& a, const services::Actor& actor) {
        const std::string& id = req.Param("id");
        if (!IsPlausibleId(id)) return http::ProblemResponse(NotFoundError("no such invitation"));
        Status s = invitations_.Revoke(a, id, actor);
        return s.ok() ? http::NoContent() : http::ProblemResponse(s);
      });
}

Response ConsoleMembersApi::ListMyInvitations(Request& req) {
  return caller_.AsDeveloper(req, [&](const store::User& me, const services::Actor&) {
    auto list = invitations_.ListMine(me);
    if (!list.ok()) return http::ProblemResponse(list.status());
    json::array out;
    for (const auto& v : *list) out.push_back(MyInvitationJson(v));
    return http::JsonResponse(200, json::object{{"invitations", std::move(out)},
                                                {"email_verified", me.email_verified}});
  });
}

// {"id": …} (an invitation of the caller's verified address) or {"token": "tinv_…"} (the
// mailed link's); accepting answers the app and the caller's role in it.
Response ConsoleMembersApi::Answer(Request& req, bool accept) {
  return caller_.AsDeveloper(req, [&](const store::User& me, const services::Actor& actor) {
    std::string id, token;
    if (auto bad = http::ReadJson(req, [&](http::JsonBody& b) {
          id = b.String("id").value_or("");
          token = b.String("token").value_or("");
          if (id.empty() == token.empty()) b.Fail("id", "give either id or token");
        })) {
      return *bad;
    }
    if (!accept) {
      Status s = invitations_.Decline(me, id, token, actor);
      return s.ok() ? http::NoContent() : http::ProblemResponse(s);
    }
    auto joined = invitations_.Accept(me, id, token, actor);
    if (!joined.ok()) return http::ProblemResponse(joined.status());
    return http::JsonResponse(
        200, json::object{{"app", json::object{{"slug", joined->app.slug}, {"name", joined->app.name}}},
                          {"role", ToText(joined->role)}});
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
