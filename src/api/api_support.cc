#include "api/api_support.h"

#include <boost/json.hpp>

#include "api/views.h"
#include "http/client_headers.h"

namespace tessera::api {

services::ClientInfo ClientOf(const http::Request& req) {
  return {req.remote_ip, http::DisplayUserAgent(req)};
}

http::Response InApp(services::AppService& apps, http::Request& req, const AppHandler& fn) {
  auto app = apps.Resolve(req.Param("app"));
  if (!app.ok()) return http::ProblemResponse(app.status());
  return fn(*app);
}

http::Response AsUser(services::AppService& apps, services::Authenticator& authenticator,
                      http::Request& req, const UserHandler& fn) {
  return InApp(apps, req, [&](const store::App& app) {
    std::string_view header = req.Header(http::beast_http::field::authorization);
    auto principal = authenticator.Authenticate(app, header);
    if (!principal.ok()) {
      http::Response r = http::ProblemResponse(principal.status());
      if (principal.status().code() == StatusCode::kUnauthenticated && !header.empty()) {
        // RFC 6750 §3.1: a presented token that failed is "invalid_token".
        r.headers.clear();
        r.WithHeader("WWW-Authenticate", "Bearer realm=\"tessera\", error=\"invalid_token\"");
      }
      return r;
    }
    return fn(app, *principal);
  });
}

boost::json::object TokenGrantView(const store::App& app, const services::TokenGrant& g) {
  return boost::json::object{{"access_token", g.access_token},
                             {"token_type", "Bearer"},
                             {"expires_in", g.expires_in},
                             {"refresh_token", g.refresh_token},
                             {"user", UserView(g.user, app)}};
}

http::Response TokenGrantResponse(const store::App& app, const services::TokenGrant& g) {
  return http::JsonResponse(200, TokenGrantView(app, g));
}

http::Response ApiSignInResponse(const store::App& app, const services::ApiSignIn& signed_in) {
  if (signed_in.grant) return TokenGrantResponse(app, *signed_in.grant);
  const services::MfaNeeded& m = *signed_in.mfa;
  boost::json::array methods;
  for (const auto& method : m.methods) methods.emplace_back(method);
  std::string_view type = m.enrol ? "mfa-enrollment-required" : "mfa-required";
  boost::json::object body{
      {"type", "urn:tessera:problem:" + std::string(type)},
      {"title", m.enrol ? "A second factor must be added" : "A second factor is needed"},
      {"status", 403},
      {"detail", m.enrol ? "This app requires a second factor: add one of the methods listed "
                           "(an authenticator app through login/mfa/totp, a passkey through "
                           "login/mfa/passkey), then complete the sign-in at login/mfa."
                         : "Complete the sign-in at login/mfa with the mfa_token and one of the "
                           "methods listed (a code, a passkey or a recovery code)."},
      {"mfa_token", m.mfa_token},
      {"expires_in", m.expires_in},
      {"methods", std::move(methods)}};
  http::Response r = http::JsonResponse(403, body);
  r.content_type = "application/problem+json";
  return r;
}

}  // namespace tessera::api
