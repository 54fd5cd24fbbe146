// File: console_members_api.h
// The console API's members of an app, under /api/console/apps/{slug}/members: the
// developers who manage it; owners add and remove them.
#pragma once

#include "api/console_caller.h"
#include "http/router.h"
#include "tenancy/developer_console_service.h"

namespace tessera::api {

class ConsoleMembersApi {
 public:
  ConsoleMembersApi(const ConsoleCaller& caller, services::DeveloperConsoleService& console)
      : caller_(caller), console_(console) {}
  void Mount(http::Router& router);

 private:
  http::Response ListMembers(http::Request& req);
  http::Response AddMember(http::Request& req);
  http::Response RemoveMember(http::Request& req);

  const ConsoleCaller& caller_;
  services::DeveloperConsoleService& console_;
};

}  // namespace tessera::api
