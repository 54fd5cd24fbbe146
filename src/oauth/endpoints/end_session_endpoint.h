// File: end_session_endpoint.h
// GET/POST {issuer}/oauth/logout: OpenID Connect RP-Initiated Logout 1.0. With a valid
// id_token_hint for the signed-in user the browser session ends at once; without one the
// user is asked first (a logout is a state change a third party must not trigger). Then
// the browser goes to post_logout_redirect_uri — only one registered for the client the
// hint or client_id names, exactly — with `state`, or to a "signed out" page.
#pragma once

#include "http/router.h"
#include "oauth/client_service.h"
#include "oauth/oauth_token_service.h"
#include "web/page_kit.h"

namespace tessera::oauth {

class EndSessionEndpoint {
 public:
  EndSessionEndpoint(const web::PageKit& web, services::ClientService& clients,
                     services::OAuthTokenService& tokens)
      : web_(web), clients_(clients), tokens_(tokens) {}
  void Mount(http::Router& router);

 private:
  http::Response Handle(http::Request& req, std::map<std::string, std::string> params,
                        bool confirmed);
  const web::PageKit& web_;
  services::ClientService& clients_;
  services::OAuthTokenService& tokens_;
};

}  // namespace tessera::oauth
