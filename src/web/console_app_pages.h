// File: console_app_pages.h
// The developer console's app pages, under {PUBLIC_URL}/console: the developer's apps with
// "Create app", an app's overview (its issuer, endpoints, counts and code snippets) and its
// settings (sign-in methods, token lifetimes, redirect URIs, branding, mail sender).
#pragma once

#include <cstdint>

#include "accounts/account_service.h"
#include "http/router.h"
#include "management/user_management_service.h"
#include "oauth/client_service.h"
#include "tenancy/app_api_key_service.h"
#include "tenancy/app_service.h"
#include "tenancy/developer_console_service.h"
#include "web/console_gates.h"
#include "web/console_layout.h"

namespace tessera::web {

class ConsoleAppPages {
 public:
  ConsoleAppPages(const ConsoleLayout& layout, services::AccountService& accounts,
                  services::AppService& apps, services::DeveloperConsoleService& console,
                  services::UserManagementService& users, services::AppApiKeyService& keys,
                  services::ClientService& clients, int64_t default_access_ttl_s,
                  int64_t default_refresh_ttl_s)
      : layout_(layout),
        accounts_(accounts),
        apps_(apps),
        console_(console),
        users_(users),
        keys_(keys),
        clients_(clients),
        access_ttl_s_(default_access_ttl_s),
        refresh_ttl_s_(default_refresh_ttl_s) {}
  void Mount(http::Router& router, const ConsoleGates& gates);

 private:
  using Form = http::FormParams;

  http::Response Home(http::Request& req, const ConsoleVisitor& v);
  http::Response CreateApp(http::Request& req, const ConsoleVisitor& v, const Form& form);
  http::Response RenderHome(const http::Request& req, const ConsoleVisitor& v, PageData d,
                            unsigned status);
  http::Response Overview(http::Request& req, const AppVisitor& a);
  http::Response ShowSettings(http::Request& req, const AppVisitor& a);
  http::Response SaveSettings(http::Request& req, const AppVisitor& a, const Form& form);
  // A settings rule's complaint as the page words it (blank, not 0, is "the server's").
  FieldError InPageWords(const FieldError& e) const;
  http::Response RenderSettings(const http::Request& req, const AppVisitor& a, PageData d,
                                unsigned status);

  const ConsoleLayout& layout_;
  services::AccountService& accounts_;  // the server's default password policy
  services::AppService& apps_;
  services::DeveloperConsoleService& console_;
  services::UserManagementService& users_;
  services::AppApiKeyService& keys_;
  services::ClientService& clients_;
  int64_t access_ttl_s_;   // the server defaults (--access-token-ttl, --refresh-token-ttl)
  int64_t refresh_ttl_s_;  // the settings page shows
};

}  // namespace tessera::web
