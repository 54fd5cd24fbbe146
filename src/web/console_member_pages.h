// File: console_member_pages.h
// The developer console's members page of an app: the developers who manage it (owners and
// members); owners add and remove them.
#pragma once

#include "http/router.h"
#include "tenancy/developer_console_service.h"
#include "web/console_gates.h"
#include "web/console_layout.h"

namespace tessera::web {

class ConsoleMemberPages {
 public:
  ConsoleMemberPages(const ConsoleLayout& layout, services::DeveloperConsoleService& console)
      : layout_(layout), console_(console) {}
  void Mount(http::Router& router, const ConsoleGates& gates);

 private:
  using Form = http::FormParams;

  http::Response Members(http::Request& req, const AppVisitor& a);
  http::Response AddMember(http::Request& req, const AppVisitor& a, const Form& form);
  http::Response RemoveMember(http::Request& req, const AppVisitor& a, const Form& form);
  http::Response RenderMembers(const http::Request& req, const AppVisitor& a, PageData d,
                               unsigned status);

  const ConsoleLayout& layout_;
  services::DeveloperConsoleService& console_;
};

}  // namespace tessera::web
