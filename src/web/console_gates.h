// File: console_gates.h
// The gates of the developer console's and the operators' pages, applied when the routes are
// mounted (the console's twin of page_gates.h). Every console page is behind the console
// app's sign-in: no session, an unknown or disabled user → the console's sign-in page, which
// leads back here. Then:
//   WithConsoleVisitor  any signed-in console user (ConsoleVisitor)
//   WithAppVisitor      …who may open the app of {slug} (AppVisitor); someone else's app is
//                       the same 404 as no app at all
//   WithOperator        …who is an operator; the same 404 for everyone else
// A handler that takes a form gets it CSRF-checked (403 otherwise) before anything else.
#pragma once

#include "accounts/account_service.h"
#include "http/router.h"
#include "tenancy/developer_console_service.h"
#include "web/console_layout.h"
#include "web/console_visitor.h"
#include "web/page_gates.h"
#include "web/page_kit.h"

namespace tessera::web {

class ConsoleGates {
 public:
  ConsoleGates(const PageKit& kit, const ConsoleLayout& layout, services::AccountService& accounts,
               services::DeveloperConsoleService& console)
      : kit_(kit), layout_(layout), accounts_(accounts), console_(console) {}

  http::Handler WithConsoleVisitor(PageHandler<ConsoleVisitor> page) const;
  http::Handler WithConsoleVisitor(FormHandler<ConsoleVisitor> page) const;
  http::Handler WithAppVisitor(PageHandler<AppVisitor> page) const;
  http::Handler WithAppVisitor(FormHandler<AppVisitor> page) const;
  http::Handler WithOperator(PageHandler<ConsoleVisitor> page) const;
  http::Handler WithOperator(FormHandler<ConsoleVisitor> page) const;

 private:
  GateOutcome<ConsoleVisitor> ResolveVisitor(http::Request& req, http::FormParams* form) const;
  GateOutcome<AppVisitor> ResolveAppVisitor(http::Request& req, http::FormParams* form) const;
  GateOutcome<ConsoleVisitor> ResolveOperator(http::Request& req, http::FormParams* form) const;
  // 303 to the console's sign-in page, with the page to come back to.
  http::Response SignInFirst(const http::Request& req, const store::App& console,
                             bool posted) const;

  const PageKit& kit_;
  const ConsoleLayout& layout_;
  services::AccountService& accounts_;
  services::DeveloperConsoleService& console_;
};

}  // namespace tessera::web
