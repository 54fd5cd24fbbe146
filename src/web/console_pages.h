// File: console_pages.h
// The developer console in the browser, under {PUBLIC_URL}/console, and the operators'
// console under {PUBLIC_URL}/admin. Both are signed in through the console app's hosted
// pages ({PUBLIC_URL}/apps/console/login, /signup): the console is an app of Tessera like
// any other. Server-rendered, no JavaScript; every form is CSRF-checked and answers 303.
//
// Split by area: console_pages.cc (sign-in gate, apps, overview, settings, the branding
// stylesheet route), console_credentials.cc (API keys, OAuth clients), console_users.cc
// (users, members, audit log), admin_pages.cc (the operators' console). Helpers shared by
// them are in console_common.h.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <variant>

#include "http/router.h"
#include "accounts/account_service.h"
#include "tenancy/app_api_key_service.h"
#include "audit/audit_log.h"
#include "oauth/client_service.h"
#include "tenancy/developer_console_service.h"
#include "management/user_management_service.h"
#include "web/web_context.h"

namespace tessera::web {

class ConsolePages {
 public:
  ConsolePages(WebContext& web, services::AccountService& accounts,
               services::DeveloperConsoleService& console, services::AppApiKeyService& keys,
               services::ClientService& clients, services::UserManagementService& users,
               services::AuditLog& audit, int64_t default_refresh_ttl_s)
      : web_(web), accounts_(accounts), console_(console), keys_(keys), clients_(clients),
        users_(users), audit_(audit), refresh_ttl_s_(default_refresh_ttl_s) {}
  void Mount(http::Router& router);

 private:
  using Form = std::map<std::string, std::string>;

  // A signed-in console user: the console app, their browser session, who they are and the
  // actor their actions are recorded as.
  struct Visitor {
    store::App console;
    store::Session session;
    store::User user;
    bool is_operator = false;
    services::Actor actor;
  };
  // …on the pages of one app they may open.
  struct AppVisitor {
    Visitor v;
    services::AppAccess access;
    const store::App& app() const { return access.app; }
  };
  // The visitor, or the answer instead (sign-in redirect, CSRF rejection, error page). With
  // `form` (a POST) the body is read and CSRF-checked into it.
  std::variant<Visitor, http::Response> Enter(http::Request& req, Form* form);
  std::variant<AppVisitor, http::Response> EnterApp(http::Request& req, Form* form);
  std::variant<Visitor, http::Response> EnterAdmin(http::Request& req, Form* form);

  // Page data every console page has (the top bar), and the app pages' header and tabs.
  // (Set into `d`, over what the caller put there.)
  void Base(PageData& d, const Visitor& v, std::string title, bool admin = false) const;
  void AppBase(PageData& d, const AppVisitor& a, std::string title, std::string_view section) const;
  http::Response Render(const http::Request& req, const Visitor& v, std::string_view page,
                        PageData data, unsigned status = 200) const;
  http::Response NotFound(const http::Request& req, const Visitor& v) const;
  http::Response Unavailable(const http::Request& req, const Visitor& v) const;
  // 303 to a console path with ?done=<what> (a notice chosen from a fixed list).
  http::Response Done(const std::string& path, std::string_view what) const;
  std::string AppPath(const store::App& app, std::string_view rest = "") const;

  // console_pages.cc
  http::Response Home(http::Request& req);
  http::Response CreateApp(http::Request& req);
  http::Response RenderHome(const http::Request& req, const Visitor& v, PageData d,
                            unsigned status);
  http::Response Overview(http::Request& req);
  http::Response ShowSettings(http::Request& req);
  http::Response SaveSettings(http::Request& req);
  http::Response RenderSettings(const http::Request& req, const AppVisitor& a, PageData d,
                                unsigned status);

  // console_credentials.cc
  http::Response ApiKeys(http::Request& req);
  http::Response CreateApiKey(http::Request& req);
  http::Response RevokeApiKey(http::Request& req);
  http::Response RenderApiKeys(const http::Request& req, const AppVisitor& a, PageData d,
                               unsigned status);
  http::Response Clients(http::Request& req);
  http::Response CreateClient(http::Request& req);
  http::Response RenderClients(const http::Request& req, const AppVisitor& a, PageData d,
                               unsigned status);
  http::Response ShowClient(http::Request& req);
  http::Response UpdateClient(http::Request& req);
  http::Response RotateClientSecret(http::Request& req);
  http::Response RevokeClient(http::Request& req);
  http::Response RenderClient(const http::Request& req, const AppVisitor& a,
                              const store::OAuthClient& client, PageData d, unsigned status);

  // console_users.cc
  http::Response Users(http::Request& req);
  http::Response ShowUser(http::Request& req);
  http::Response RenderUser(const http::Request& req, const AppVisitor& a,
                            const services::UserDetail& detail, PageData d, unsigned status);
  http::Response SetUserDisabled(http::Request& req, bool disabled);
  http::Response SignOutUser(http::Request& req);
  http::Response SendUserPasswordReset(http::Request& req);
  http::Response ConfirmDeleteUser(http::Request& req);
  http::Response DeleteUser(http::Request& req);
  http::Response Members(http::Request& req);
  http::Response AddMember(http::Request& req);
  http::Response RemoveMember(http::Request& req);
  http::Response RenderMembers(const http::Request& req, const AppVisitor& a, PageData d,
                               unsigned status);
  http::Response AppAudit(http::Request& req);
  // The rows of an audit page and its "Older" link; `app_slugs` (app id → slug) adds the app
  // column (the operators' view across apps).
  void FillAudit(const Visitor& v, store::AuditFilter filter, PageData& d,
                 const std::string& base_path, const std::map<std::string, std::string>& query,
                 const std::map<std::string, std::string>* app_slugs);

  // admin_pages.cc
  http::Response AdminHome(http::Request& req);
  http::Response AdminSetAppDisabled(http::Request& req, bool disabled);
  http::Response AdminAudit(http::Request& req);

  WebContext& web_;
  services::AccountService& accounts_;
  services::DeveloperConsoleService& console_;
  services::AppApiKeyService& keys_;
  services::ClientService& clients_;
  services::UserManagementService& users_;
  services::AuditLog& audit_;
  int64_t refresh_ttl_s_;  // the server default the settings page shows
};

}  // namespace tessera::web
