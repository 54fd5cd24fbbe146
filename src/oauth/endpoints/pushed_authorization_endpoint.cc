#include "oauth/endpoints/pushed_authorization_endpoint.h"

#include <boost/json.hpp>

#include "http/problem.h"
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
  auto pushed = authz_.Push(post.app, post.client, std::move(post.form.form));
  if (!pushed.ok()) return WriteOAuthError(pushed.error());
  http::Response r = http::JsonResponse(
      201, boost::json::object{{"request_uri", pushed->request_uri}, {"expires_in", pushed->expires_in}});
  SetNoStore(r);
  return r;
}

}  // namespace tessera::oauth
