// File: server_api.h
// The server-to-server API: an app's backend, holding one of the app's API keys
// (`Authorization: Bearer tsk_…`), manages that app's users, under {issuer}/api:
//   POST   /users                       create a user (optionally with tokens)
//   GET    /users                       list, search, page
//   GET    /users/{id}                  one user with their live sessions
//   PATCH  /users/{id}                  update (profile, email, username, roles, disabled…)
//   DELETE /users/{id}                  delete
//   POST   /users/{id}/tokens           start a session and get tokens for the user
//   DELETE /users/{id}/sessions         sign the user out everywhere
//   POST   /users/{id}/password-reset   mail the user a reset link
//   GET    /users/{id}/mfa              the user's second factors
//   DELETE /users/{id}/mfa              remove them all (a lost device)
//   GET    /audit-events                the app's audit log (filters, paging)
//   POST   /auth/token                  exchange the one-time code of the API sign-in flow
//                                       through an upstream provider for the usual tokens
// A key of another app gets 404, exactly as if the app did not exist.
#pragma once

#include <functional>

#include "api/user_management_handlers.h"
#include "http/router.h"
#include "tenancy/app_api_key_service.h"
#include "tenancy/app_service.h"
#include "audit/audit_log.h"
#include "federation/federated_sign_in.h"
#include "management/user_management_service.h"
#include "mfa/mfa_sign_in.h"

namespace tessera::api {

class ServerApi {
 public:
  ServerApi(services::AppService& apps, services::AppApiKeyService& keys,
            services::UserManagementService& users, services::AuditLog& audit,
            services::FederatedSignIn* federation = nullptr, services::MfaSignIn* mfa = nullptr,
            services::FactorService* factors = nullptr)
      : apps_(apps), keys_(keys), users_(users), audit_(audit), federation_(federation),
        mfa_(mfa), factors_(factors) {}
  void Mount(http::Router& router);

 private:
  using KeyHandler =
      std::function<http::Response(const store::App&, const services::Actor&)>;
  // Resolves {app} (404), authenticates the API key (401) and checks that it is the app's
  // (404, the same answer as an unknown app), then runs `fn` as the key.
  http::Response WithKey(http::Request& req, const KeyHandler& fn);
  http::Response ListAuditEvents(http::Request& req);
  http::Response RedeemFederationCode(http::Request& req);

  services::AppService& apps_;
  services::AppApiKeyService& keys_;
  services::UserManagementService& users_;
  services::AuditLog& audit_;
  services::FederatedSignIn* federation_;  // null: no upstream sign-in
  services::MfaSignIn* mfa_;               // null: codes redeem to tokens directly (tests)
  services::FactorService* factors_;       // null: no second-factor routes
  UserManagementHandlers user_handlers_{users_, factors_};
};

}  // namespace tessera::api
