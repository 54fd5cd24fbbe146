// File: authorize_endpoint.h
// GET/POST {issuer}/oauth/authorize (RFC 6749 §4.1.1, OIDC Core §3.1.2; with a pushed
// request's request_uri, RFC 9126 §4) and the consent form's POST
// {issuer}/oauth/authorize/decision. The way of a request:
//   validate (services::AuthorizationService: parse, client, redirect URI, the checks) →
//   refused without a verified redirect URI: error page; refused with one: redirect to the
//   client → no browser session, or prompt=login / max_age:
//   sign-in page, which comes back here → consent needed: consent page, whose form re-posts
//   every parameter to /decision (validated again there) → code: to the client with code,
//   state and iss (RFC 9207), by redirect or (response_mode=form_post) by a posted form.
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
  // The refusal's answer: an error page (with `page_status`) or an error redirect.
  http::Response Refuse(const http::Request& req, const store::App& app,
                        const services::AuthorizeRefusal& refusal, unsigned page_status);
  http::Response ConsentPage(const http::Request& req, const store::App& app,
                             const services::ValidAuthorization& areq,
                             const store::Session& session);
  http::Response ToLogin(const store::App& app, const services::ValidAuthorization& areq);
  std::string SwitchAccountUrl(const store::App& app, const services::ValidAuthorization& areq) const;
  // The code (a pushed request's request_uri spent with it) and the answer with it; an error
  // answer when the request_uri was spent already or the store failed.
  http::Response IssueCodeAndRespond(const http::Request& req, const store::App& app,
                                     const services::ValidAuthorization& areq,
                                     const store::Session& session);
  bool NeedsSecondFactor(const store::App& app, const services::ValidAuthorization& areq,
                         const store::Session& session);
  // Answers the client — only ever at a verified redirect URI, in the request's mode.
  http::Response Respond(const http::Request& req, const store::App& app,
                         const services::VerifiedRedirect& to, services::ResponseMode mode,
                         std::map<std::string, std::string> params);
  http::Response RedirectError(const http::Request& req, const store::App& app,
                               const services::VerifiedRedirect& to, std::string_view state,
                               services::ResponseMode mode, const services::OAuthError& error);
  http::Response RedirectError(const http::Request& req, const store::App& app,
                               const services::ValidAuthorization& areq,
                               const services::OAuthError& error);
  http::Response RedirectCode(const http::Request& req, const store::App& app,
                              const services::ValidAuthorization& areq, const std::string& code);

  const web::PageKit& web_;
  services::AuthorizationService& authz_;
  services::AccountService& accounts_;
};

}  // namespace tessera::oauth
