// File: console_invitation_pages.h
// The invitee's side of app invitations (issue 11, item 7): /console/invitations lists the
// pending invitations to the signed-in developer's verified address, or shows the one of a
// mailed link (?token=tinv_…; signing in first keeps the link); accepting or declining is a
// POST. A GET never changes anything (mail scanners open links).
#pragma once

#include "http/router.h"
#include "management/app_invitation_service.h"
#include "web/console_gates.h"
#include "web/console_layout.h"

namespace tessera::web {

class ConsoleInvitationPages {
 public:
  ConsoleInvitationPages(const ConsoleLayout& layout, services::AppInvitationService& invitations)
      : layout_(layout), invitations_(invitations) {}
  void Mount(http::Router& router, const ConsoleGates& gates);

 private:
  using Form = http::FormParams;

  http::Response Invitations(http::Request& req, const ConsoleVisitor& v);
  http::Response Accept(http::Request& req, const ConsoleVisitor& v, const Form& form);
  http::Response Decline(http::Request& req, const ConsoleVisitor& v, const Form& form);
  http::Response Render(const http::Request& req, const ConsoleVisitor& v, PageData d,
                        std::string_view token, unsigned status);

  const ConsoleLayout& layout_;
  services::AppInvitationService& invitations_;
};

}  // namespace tessera::web
