#include "oauth/endpoints/token_endpoint.h"

#include <boost/json.hpp>

#include "http/client_headers.h"
#include "http/problem.h"
#include "oauth/endpoints/cors.h"

namespace tessera::oauth {
namespace {

http::Response TokenResponse(const services::GrantedTokens& t) {
  boost::json::object body{{"access_token", t.access_token},
                           {"token_type", "Bearer"},
                           {"expires_in", t.expires_in}};
  if (!t.scope.empty()) body["scope"] = t.scope;
  if (t.refresh_token) body["refresh_token"] = *t.refresh_token;
  if (t.id_token) body["id_token"] = *t.id_token;
  if (t.issued_token_type) body["issued_token_type"] = *t.issued_token_type;
  http::Response r = http::JsonResponse(200, body);
  SetNoStore(r);
  return r;
}

}  // namespace

void TokenEndpoint::Mount(http::Router& r) {
  r.Add(http::beast_http::verb::post, "/apps/{app}/oauth/token",
        [this](http::Request& req) {
          http::Response r = Handle(req);
          AllowAnyOrigin(r);  // browser apps (public clients) call it cross-origin
          return r;
        });
}

http::Response TokenEndpoint::Handle(http::Request& req) {
  auto app = apps_.Resolve(req.Param("app"));
  if (!app.ok()) return http::ProblemResponse(app.status());
  FormRequest t;
  if (auto err = ReadOAuthForm(req, &t)) return WriteOAuthError(*err);
  std::string grant_type = t.Param("grant_type");
  if (grant_type.empty()) return WriteOAuthError(OAuthError(kInvalidRequest, "grant_type is required"));
  store::OAuthClient client;
  if (auto err = AuthenticateClient(clients_, req, *app, t, /*allow_public=*/true, &client)) {
    return WriteOAuthError(*err);
  }
  services::OAuthResult<services::Grant*> grant = grants_.For(*app, client, grant_type);
  if (!grant.ok()) return WriteOAuthError(grant.error());
  services::ClientInfo caller{req.remote_ip, http::DisplayUserAgent(req)};
  auto tokens = (*grant)->Issue({*app, client, t.form, std::move(caller)});
  if (!tokens.ok()) return WriteOAuthError(tokens.error());
  return TokenResponse(*tokens);
}

}  // namespace tessera::oauth
