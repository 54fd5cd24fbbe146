// File: console_member_pages.h
// The developer console's members page of an app: the developers who manage it (owners and
// members). Owners invite developers by address (they become members only by accepting,
// web/console_invitation_pages.h), see and revoke pending invitations, and remove members;
// anyone may leave, except the last owner.
#pragma once

#include "http/router.h"
#include "management/app_invitation_service.h"
#include "tenancy/developer_console_service.h"
#include "web/console_gates.h"
#include "web/console_layout.h"

namespace tessera::web {

class ConsoleMemberPages {
 public:
  ConsoleMemberPages(const ConsoleLayout& layout, services::DeveloperConsoleService& console,
                     services::AppInvitationService& invitations)
      : layout_(layout), console_(console), invitations_(invitations) {}
  void Mount(http::Router& router, const ConsoleGates& gates);

 private:
  using Form = http::FormParams;

  http::Response Members(http::Request& req, const AppVisitor& a);
  http::Response Invite(http::Request& req, const AppVisitor& a, const Form& form);
  http::Response RevokeInvitation(http::Request& req, const AppVisitor& a, const Form& form);
  void SetInvitations(PageData& d, const AppVisitor& a) const;
  http::Response RemoveMember(http::Request& req, const AppVisitor& a, const Form& form);
  http::Response RenderMembers(const http::Request& req, const AppVisitor& a, PageData d,
                               unsigned status);

  const ConsoleLayout& layout_;
  services::DeveloperConsoleService& console_;
  services::AppInvitationService& invitations_;
};

}  // namespace tessera::web
