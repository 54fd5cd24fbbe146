// File: console_caller.h
// Who calls the console and operators' JSON APIs (/api/console, /api/admin): a console user
// signed in with the console app's account API (`Authorization: Bearer <access token or
// tpat_ token>` of {PUBLIC_URL}/apps/console), and the actor their actions are recorded as.
#pragma once

#include <functional>

#include "audit/audit_log.h"
#include "http/message.h"
#include "tenancy/app_service.h"
#include "tenancy/developer_console_service.h"
#include "tokens/authenticator.h"

namespace tessera::api {

class ConsoleCaller {
 public:
  using DeveloperHandler =
      std::function<http::Response(const store::User& caller, const services::Actor& actor)>;
  using AccessHandler = std::function<http::Response(const services::AppAccess& access,
                                                     const services::Actor& actor)>;

  ConsoleCaller(services::AppService& apps, services::Authenticator& authenticator,
                services::DeveloperConsoleService& console)
      : apps_(apps), authenticator_(authenticator), console_(console) {}

  // The console user of the Authorization header (401 otherwise) and their audit actor.
  http::Response AsDeveloper(http::Request& req, const DeveloperHandler& fn) const;
  // AsDeveloper, then the {slug} app the caller may manage (404 otherwise: someone else's
  // app and no app look the same).
  http::Response InAccessibleApp(http::Request& req, const AccessHandler& fn) const;
  // AsDeveloper for operators; 404 (as an unknown endpoint) for everyone else.
  http::Response AsOperator(http::Request& req, const DeveloperHandler& fn) const;

 private:
  services::AppService& apps_;
  services::Authenticator& authenticator_;
  services::DeveloperConsoleService& console_;
};

}  // namespace tessera::api
