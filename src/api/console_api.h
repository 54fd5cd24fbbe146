// File: console_api.h
// The developer console's JSON API, under /api/console, for a console user signed in with
// the console app's account API (`Authorization: Bearer <access token or tpat_ token>` of
// {PUBLIC_URL}/apps/console): the caller's apps, their settings, API keys, OAuth clients,
// users, members and audit log. An app the caller is not a member of is 404.
// And the operators' API, under /api/admin (console users with the "admin" role only;
// 404 for everyone else): every app, disable/enable, the audit log across apps.
#pragma once

#include <functional>

#include "api/user_management_handlers.h"
#include "http/router.h"
#include "tenancy/app_api_key_service.h"
#include "tenancy/app_service.h"
#include "audit/audit_log.h"
#include "tokens/authenticator.h"
#include "oauth/client_service.h"
#include "tenancy/developer_console_service.h"
#include "management/user_management_service.h"

namespace tessera::api {

class ConsoleApi {
 public:
  ConsoleApi(services::AppService& apps, services::Authenticator& authenticator,
             services::DeveloperConsoleService& console, services::AppApiKeyService& keys,
             services::ClientService& clients, services::UserManagementService& users,
             services::AuditLog& audit)
      : apps_(apps), authenticator_(authenticator), console_(console), keys_(keys),
        clients_(clients), users_(users), audit_(audit) {}
  void Mount(http::Router& router);

 private:
  using DeveloperHandler =
      std::function<http::Response(const store::User& caller, const services::Actor& actor)>;
  using AccessHandler = std::function<http::Response(const services::AppAccess& access,
                                                     const services::Actor& actor)>;
  // The console user of the Authorization header (401 otherwise) and their audit actor.
  http::Response AsDeveloper(http::Request& req, const DeveloperHandler& fn);
  // AsDeveloper, then the {slug} app the caller may manage (404 otherwise).
  http::Response InAccessibleApp(http::Request& req, const AccessHandler& fn);
  // AsDeveloper for operators; 404 (as an unknown endpoint) for everyone else.
  http::Response AsOperator(http::Request& req, const DeveloperHandler& fn);

  void MountConsole(http::Router& router);
  void MountAdmin(http::Router& router);

  http::Response ListApps(http::Request& req);
  http::Response CreateApp(http::Request& req);
  http::Response GetApp(http::Request& req);
  http::Response PatchApp(http::Request& req);
  http::Response ListApiKeys(http::Request& req);
  http::Response CreateApiKey(http::Request& req);
  http::Response RevokeApiKey(http::Request& req);
  http::Response ListClients(http::Request& req);
  http::Response CreateClient(http::Request& req);
  http::Response GetClient(http::Request& req);
  http::Response PatchClient(http::Request& req);
  http::Response RevokeClient(http::Request& req);
  http::Response RotateClientSecret(http::Request& req);
  http::Response ListMembers(http::Request& req);
  http::Response AddMember(http::Request& req);
  http::Response RemoveMember(http::Request& req);
  http::Response ListAuditEvents(http::Request& req);
  http::Response AdminListApps(http::Request& req);
  http::Response AdminSetDisabled(http::Request& req, bool disabled);
  http::Response AdminListAuditEvents(http::Request& req);
  // {slug, name, disabled, role, issuer, discovery_url, created_at, settings}.
  boost::json::object AppDetail(const store::App& app, services::AccessRole role) const;

  services::AppService& apps_;
  services::Authenticator& authenticator_;
  services::DeveloperConsoleService& console_;
  services::AppApiKeyService& keys_;
  services::ClientService& clients_;
  services::UserManagementService& users_;
  services::AuditLog& audit_;
  UserManagementHandlers user_handlers_{users_};
};

}  // namespace tessera::api
