// File: console_members_api.h
// The console API's members of an app, under /api/console/apps/{slug}/members: the
// developers who manage it. Owners invite (POST …/members makes an invitation, never a
// member), list and revoke invitations (…/invitations); the invitee lists, accepts and
// declines theirs under /api/console/invitations; anyone may leave, except the last owner.
#pragma once

#include "api/console_caller.h"
#include "http/router.h"
#include "management/app_invitation_service.h"
#include "tenancy/developer_console_service.h"

namespace tessera::api {

class ConsoleMembersApi {
 public:
  ConsoleMembersApi(const ConsoleCaller& caller, services::DeveloperConsoleService& console,
                    services::AppInvitationService& invitations)
      : caller_(caller), console_(console), invitations_(invitations) {}
  void Mount(http::Router& router);

 private:
  http::Response ListMembers(http::Request& req);
  http::Response Invite(http::Request& req);
  http::Response ListInvitations(http::Request& req);
  http::Response RevokeInvitation(http::Request& req);
  http::Response ListMyInvitations(http::Request& req);
  http::Response Answer(http::Request& req, bool accept);
  http::Response RemoveMember(http::Request& req);

  const ConsoleCaller& caller_;
  services::DeveloperConsoleService& console_;
  services::AppInvitationService& invitations_;
};

}  // namespace tessera::api
