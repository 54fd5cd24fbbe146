// File: console_user_pages.h
// The developer console's users pages of an app: search and paging, one user with their
// sessions, disable/enable, sign out everywhere, a password-reset link, and delete (after a
// confirmation page that asks for the user's email address).
#pragma once

#include "http/router.h"
#include "federation/federated_sign_in.h"
#include "mfa/factor_service.h"
#include "management/user_management_service.h"
#include "web/console_gates.h"
#include "web/console_layout.h"

namespace tessera::web {

class ConsoleUserPages {
 public:
  // `federation`: the user's linked upstream identities (none shown when null).
  ConsoleUserPages(const ConsoleLayout& layout, services::UserManagementService& users,
                   services::FederatedSignIn* federation = nullptr,
                   services::FactorService* factors = nullptr)
      : layout_(layout), users_(users), federation_(federation), factors_(factors) {}
  void Mount(http::Router& router, const ConsoleGates& gates);

 private:
  using Form = http::FormParams;
  http::Response ResetFactors(http::Request& req, const AppVisitor& a, const Form& form);

  http::Response Users(http::Request& req, const AppVisitor& a);
  http::Response ShowUser(http::Request& req, const AppVisitor& a);
  http::Response RenderUser(const http::Request& req, const AppVisitor& a,
                            const services::UserDetail& detail, PageData d, unsigned status);
  http::Response DisableUser(http::Request& req, const AppVisitor& a, const Form& form);
  http::Response EnableUser(http::Request& req, const AppVisitor& a, const Form& form);
  http::Response SetUserDisabled(http::Request& req, const AppVisitor& a, bool disabled);
  http::Response SignOutUser(http::Request& req, const AppVisitor& a, const Form& form);
  http::Response SendUserPasswordReset(http::Request& req, const AppVisitor& a, const Form& form);
  http::Response ConfirmDeleteUser(http::Request& req, const AppVisitor& a);
  http::Response DeleteUser(http::Request& req, const AppVisitor& a, const Form& form);
  // The confirmation page of a delete; with `typed` (a wrong address the form had) a 400 that
  // says so.
  http::Response RenderDelete(const http::Request& req, const AppVisitor& a,
                              const services::UserDetail& detail,
                              const std::optional<std::string>& typed);
  std::string UserPath(const AppVisitor& a, const std::string& user_id) const;

  const ConsoleLayout& layout_;
  services::UserManagementService& users_;
  services::FederatedSignIn* federation_;
  services::FactorService* factors_;  // null: no second-factor panel
};

}  // namespace tessera::web
