#include "oauth/endpoints/token_endpoint.h"

#include <boost/json.hpp>

#include "http/client_headers.h"
#include "http/problem.h"
#include "oauth/dpop_token_request.h"
#include "oauth/endpoints/cors.h"

namespace tessera::oauth {
namespace {

http::Response TokenResponse(const services::GrantedTokens& t) {
  boost::json::object body{{"access_token", t.access_token},
                           {"token_type", t.dpop_bound ? "DPoP" : "Bearer"},
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
  http::Response r = Answer(req, *app);
  // §8.2: the nonce travels with every answer, so a client always has the current one.
  if (app->settings.dpop && app->settings.dpop_nonce) r.WithHeader("DPoP-Nonce", dpop_.Nonce(*app));
  return r;
}

http::Response TokenEndpoint::Answer(http::Request& req, const store::App& app) {
  FormRequest t;
  if (auto err = ReadOAuthForm(req, &t)) return WriteOAuthError(*err);
  std::string grant_type = t.Param("grant_type");
  if (grant_type.empty()) return WriteOAuthError(OAuthError(kInvalidRequest, "grant_type is required"));
  store::OAuthClient client;
  if (auto err = AuthenticateClient(clients_, req, app, t, /*allow_public=*/true, &client)) {
    return WriteOAuthError(*err);
  }
  services::OAuthResult<services::Grant*> grant = grants_.For(app, client, grant_type);
  if (!grant.ok()) return WriteOAuthError(grant.error());
  // After the client is known, so strangers cannot fill the replay store with proofs.
  auto jkt = services::DpopKeyOfTokenRequest(
      dpop_, app, client, {req.Headers("DPoP"), "POST", apps_.IssuerFor(app.slug) + "/oauth/token"});
  if (!jkt.ok()) return WriteOAuthError(jkt.error());
  services::ClientInfo caller{req.remote_ip, http::DisplayUserAgent(req)};
  services::GrantRequest request{app, client, t.form, std::move(caller)};
  request.dpop_jkt = std::move(*jkt);
  auto tokens = (*grant)->Issue(request);
  if (!tokens.ok()) return WriteOAuthError(tokens.error());
  return TokenResponse(*tokens);
}

}  // namespace tessera::oauth
