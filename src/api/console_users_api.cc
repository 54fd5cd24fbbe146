#include "api/console_users_api.h"

namespace tessera::api {

using http::Request;
using http::Response;
using http::beast_http::verb;

void ConsoleUsersApi::Mount(http::Router& r) {
  using Acting = Response (UserManagementHandlers::*)(const Request&, const store::App&,
                                                      const services::Actor&);
  using Reading = Response (UserManagementHandlers::*)(const Request&, const store::App&);
  auto acting = [this](Acting fn) {
    return [this, fn](Request& req) {
      return caller_.InAccessibleApp(
          req, [&](const services::AppAccess& a, const services::Actor& actor) {
            return (handlers_.*fn)(req, a.app, actor);
          });
    };
  };
  auto reading = [this](Reading fn) {
    return [this, fn](Request& req) {
      return caller_.InAccessibleApp(req,
                                     [&](const services::AppAccess& a, const services::Actor&) {
                                       return (handlers_.*fn)(req, a.app);
                                     });
    };
  };
  const std::string users = "/api/console/apps/{slug}/users";
  r.Add(verb::post, users, acting(&UserManagementHandlers::Create), http::Dispatch::kHashing);
  r.Add(verb::get, users, reading(&UserManagementHandlers::List));
  r.Add(verb::get, users + "/{id}", reading(&UserManagementHandlers::Get));
  r.Add(verb::patch, users + "/{id}", acting(&UserManagementHandlers::Update));
  r.Add(verb::delete_, users + "/{id}", acting(&UserManagementHandlers::Delete));
  r.Add(verb::post, users + "/{id}/tokens", acting(&UserManagementHandlers::IssueTokens));
  r.Add(verb::delete_, users + "/{id}/sessions",
        acting(&UserManagementHandlers::SignOutEverywhere));
  r.Add(verb::post, users + "/{id}/password-reset",
        acting(&UserManagementHandlers::SendPasswordReset));
  r.Add(verb::get, users + "/{id}/mfa", reading(&UserManagementHandlers::Factors));
  r.Add(verb::delete_, users + "/{id}/mfa", acting(&UserManagementHandlers::ResetFactors));
}

}  // namespace tessera::api
