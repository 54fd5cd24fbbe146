// File: authorize_endpoint.h
// GET/POST {issuer}/oauth/authorize (RFC 6749 §4.1.1, OIDC Core §3.1.2) and the consent
// form's POST {issuer}/oauth/authorize/decision. The way of a request:
//   validate (services::AuthorizationService) → bad client or redirect URI: error page;
//   other errors: redirect to the client → no browser session, or prompt=login / max_age:
//   sign-in page, which comes back here → consent needed: consent page, whose form re-posts
//   every parameter to /decision (validated again there) → code: redirect to the client with
//   code, state and iss (RFC 9207).
#pragma once

#include "http/router.h"
#include "accounts/account_service.h"
#include "oauth/authorization_service.h"
#include "web/page_kit.h"

namespace tessera::oauth {

class AuthorizeEndpoint {
 public:
  AuthorizeEndpoint(const web::PageKit& web, services::AuthorizationService& authz,
                    services::AccountService& accounts)
      : web_(web), authz_(authz), accounts_(accounts) {}
  void Mount(http::Router& router);

 private:
  http::Response Authorize(http::Request& req, const std::map<std::string, std::string>& params);
  http::Response Decide(http::Request& req);
  http::Response ConsentPage(const http::Request& req, const store::App& app,
                             const services::AuthorizationRequest& areq,
                             const store::Session& session);
  http::Response ToLogin(const store::App& app, const services::AuthorizationRequest& areq);
  http::Response RedirectError(const store::App& app, const services::AuthorizationRequest& areq,
                               std::string_view error, std::string_view description);
  http::Response RedirectCode(const store::App& app, const services::AuthorizationRequest& areq,
                              const std::string& code);

  const web::PageKit& web_;
  services::AuthorizationService& authz_;
  services::AccountService& accounts_;
};

}  // namespace tessera::oauth
