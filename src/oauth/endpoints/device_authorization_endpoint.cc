#include "oauth/endpoints/device_authorization_endpoint.h"

#include <boost/json.hpp>

#include "http/client_headers.h"
#include "http/form.h"
#include "http/problem.h"
#include "oauth/endpoints/client_authentication.h"
#include "oauth/endpoints/oauth_error.h"

namespace tessera::oauth {

void DeviceAuthorizationEndpoint::Mount(http::Router& r) {
  r.Add(http::beast_http::verb::post, "/apps/{app}/oauth/device_authorization",
        [this](http::Request& req) { return Handle(req); });
}

http::Response DeviceAuthorizationEndpoint::Handle(http::Request& req) {
  ClientFormPost post;
  if (auto refusal = ReadClientFormPost(apps_, clients_, req, &post)) return std::move(*refusal);
  services::ClientInfo who{req.remote_ip, http::DisplayUserAgent(req)};
  auto started = devices_.Start(post.app, post.client, post.form.Param("scope"), who);
  if (!started.ok()) return WriteOAuthError(started.error());
  std::string verification_uri = apps_.IssuerFor(post.app.slug) + "/device";
  boost::json::object body{
      {"device_code", started->device_code},
      {"user_code", started->user_code},
      {"verification_uri", verification_uri},
      {"verification_uri_complete",
       verification_uri + "?user_code=" + http::FormEncode(started->user_code)},
      {"expires_in", started->expires_in},
      {"interval", started->interval}};
  http::Response r = http::JsonResponse(200, body);
  SetNoStore(r);
  return r;
}

}  // namespace tessera::oauth
