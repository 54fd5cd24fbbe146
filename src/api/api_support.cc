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

http::Response TokenGrantResponse(const store::App& app, const services::TokenGrant& g) {
  return http::JsonResponse(200, boost::json::object{{"access_token", g.access_token},
                                                     {"token_type", "Bearer"},
                                                     {"expires_in", g.expires_in},
                                                     {"refresh_token", g.refresh_token},
                                                     {"user", UserView(g.user, app)}});
}

}  // namespace tessera::api
