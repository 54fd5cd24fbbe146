// File: token_endpoint.h
// POST {issuer}/oauth/token (RFC 6749 §3.2). Shared phases, in this order, for every grant:
// (1) read the form strictly, (2) authenticate the client — client_secret_basic or
// client_secret_post, exactly one (§2.3) — or identify a public client, (3) check the grant
// is allowed to the client, (4) run the grant, (5) write the answer with no-store.
// Implemented grants: client_credentials (§4.4). authorization_code and refresh_token come
// with the authorization endpoint and hosted pages.
#pragma once

#include <map>
#include <string>

#include "http/router.h"
#include "oauth/oauth_error.h"
#include "services/access_token_service.h"
#include "services/app_service.h"
#include "services/client_service.h"

namespace tessera::oauth {

struct TokenRequest {
  std::map<std::string, std::string> form;
  std::string Param(const std::string& name) const {
    auto it = form.find(name);
    return it == form.end() ? std::string() : it->second;
  }
};

class TokenEndpoint {
 public:
  TokenEndpoint(services::AppService& apps, services::ClientService& clients,
                services::AccessTokenService& access_tokens)
      : apps_(apps), clients_(clients), access_tokens_(access_tokens) {}
  void Mount(http::Router& router);

 private:
  http::Response Handle(http::Request& req);
  // Sets `client` or returns the error to answer.
  std::optional<OAuthError> AuthenticateClient(const http::Request& req, const store::App& app,
                                               const TokenRequest& token_req,
                                               store::OAuthClient* client);
  http::Response ClientCredentials(const store::App& app, const store::OAuthClient& client,
                                   const TokenRequest& token_req);

  services::AppService& apps_;
  services::ClientService& clients_;
  services::AccessTokenService& access_tokens_;
};

}  // namespace tessera::oauth
