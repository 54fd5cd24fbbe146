#include "oauth/endpoints/pushed_authorization_endpoint.h"

#include <boost/json.hpp>

#include "http/problem.h"
#include "oauth/dpop_token_request.h"
#include "oauth/endpoints/client_authentication.h"
#include "oauth/endpoints/oauth_error.h"

namespace tessera::oauth {

void PushedAuthorizationEndpoint::Mount(http::Router& r) {
  r.Add(http::beast_http::verb::post, "/apps/{app}/oauth/par",
        [this](http::Request& req) { return Handle(req); });
}

http::Response PushedAuthorizationEndpoint::Handle(http::Request& req) {
  ClientFormPost post;
  if (auto refusal = ReadClientFormPost(apps_, clients_, req, &post)) return std::move(*refusal);
  // A proof here is optional, whatever the client's registration (its token requests will
  // need one); sent, it must be good, and it binds the code to its key.
  std::string jkt;
  if (auto proofs = req.Headers("DPoP"); !proofs.empty()) {
    auto key = services::DpopKeyOfTokenRequest(
        dpop_, post.app, post.client,
        {std::move(proofs), "POST", apps_.IssuerFor(post.app.slug) + "/oauth/par"});
    if (!key.ok()) return WriteOAuthError(key.error());
    jkt = std::move(*key);
  }
  auto pushed = authz_.Push(post.app, post.client, std::move(post.form.form), jkt);
  if (!pushed.ok()) return WriteOAuthError(pushed.error());
  http::Response r = http::JsonResponse(
      201, boost::json::object{{"request_uri", pushed->request_uri}, {"expires_in", pushed->expires_in}});
  SetNoStore(r);
  return r;
}

}  // namespace tessera::oauth
