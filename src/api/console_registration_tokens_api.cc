#include "api/console_registration_tokens_api.h"

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

void ConsoleRegistrationTokensApi::Mount(http::Router& r) {
  auto bind = [this](Response (ConsoleRegistrationTokensApi::*fn)(Request&)) {
    return [this, fn](Request& req) { return (this->*fn)(req); };
  };
  const std::string base = "/api/console/apps/{slug}/registration-tokens";
  r.Add(verb::get, base, bind(&ConsoleRegistrationTokensApi::List));
  r.Add(verb::post, base, bind(&ConsoleRegistrationTokensApi::Create));
  r.Add(verb::delete_, base + "/{id}", bind(&ConsoleRegistrationTokensApi::Revoke));
}

Response ConsoleRegistrationTokensApi::List(Request& req) {
  return caller_.InAccessibleApp(req, [&](const services::AppAccess& a, const services::Actor&) {
    auto tokens = tokens_.List(a.app);
    if (!tokens.ok()) return http::ProblemResponse(tokens.status());
    json::array out;
    for (const auto& t : *tokens) out.push_back(InitialAccessTokenView(t));
    return http::JsonResponse(200, json::object{{"registration_tokens", std::move(out)}});
  });
}

Response ConsoleRegistrationTokensApi::Create(Request& req) {
  return caller_.InAccessibleApp(
      req, [&](const services::AppAccess& a, const services::Actor& actor) {
        std::string name;
        std::optional<int64_t> expires_in_days;  // absent or null: until revoked
        if (auto bad = http::ReadJson(req, [&](http::JsonBody& b) {
              name = b.String("name", true).value_or("");
              if (auto days = b.NullableInteger("expires_in_days")) expires_in_days = *days;
            })) {
          return *bad;
        }
        auto created = tokens_.Create(a.app, name, expires_in_days, actor);
        if (!created.ok()) return http::ProblemResponse(created.status());
        json::object v = InitialAccessTokenView(created->record);
        v["token"] = created->token;  // the only time it is shown
        v["registration_endpoint"] = apps_.IssuerFor(a.app.slug) + "/oauth/register";
        return http::JsonResponse(201, v);
      });
}

Response ConsoleRegistrationTokensApi::Revoke(Request& req) {
  return caller_.InAccessibleApp(
      req, [&](const services::AppAccess& a, const services::Actor& actor) {
        const std::string& id = req.Param("id");
        if (!IsPlausibleId(id)) {
          return http::ProblemResponse(NotFoundError("no such registration token"));
        }
        Status s = tokens_.Revoke(a.app, id, actor);
        return s.ok() ? http::NoContent() : http::ProblemResponse(s);
      });
}

}  // namespace tessera::api
