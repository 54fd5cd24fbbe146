// File: console_users_api.h
// The console API's users of an app, under /api/console/apps/{slug}/users: the same routes
// and JSON as the server-to-server API (UserManagementHandlers), for a developer of the app.
#pragma once

#include "api/console_caller.h"
#include "api/user_management_handlers.h"
#include "http/router.h"
#include "management/user_management_service.h"

namespace tessera::api {

class ConsoleUsersApi {
 public:
  ConsoleUsersApi(const ConsoleCaller& caller, services::UserManagementService& users,
                  services::FactorService* factors = nullptr)
      : caller_(caller), handlers_(users, factors) {}
  void Mount(http::Router& router);

 private:
  const ConsoleCaller& caller_;
  UserManagementHandlers handlers_;
};

}  // namespace tessera::api
