#include "oauth/endpoints/token_introspection_endpoint.h"

#include "http/problem.h"
#include "oauth/endpoints/client_authentication.h"
#include "oauth/endpoints/cors.h"
#include "oauth/endpoints/oauth_error.h"

namespace tessera::oauth {

void TokenIntrospectionEndpoints::Mount(http::Router& r) {
  r.Add(http::beast_http::verb::post, "/apps/{app}/oauth/introspect",
        [this](http::Request& q) { return Introspect(q); });
  r.Add(http::beast_http::verb::post, "/apps/{app}/oauth/revoke",
        [this](http::Request& q) { return Revoke(q); });
  MountPreflight(r, "/apps/{app}/oauth/revoke");
}

http::Response TokenIntrospectionEndpoints::Introspect(http::Request& req) {
  auto app = apps_.Resolve(req.Param("app"));
  if (!app.ok()) return http::ProblemResponse(app.status());
  FormRequest f;
  if (auto err = ReadOAuthForm(req, &f)) return WriteOAuthError(*err);
  store::OAuthClient client;
  if (auto err = AuthenticateClient(clients_, req, *app, f, /*allow_public=*/false, &client)) {
    return WriteOAuthError(*err);
  }
  std::string token = f.Param("token");
  if (token.empty()) return WriteOAuthError(OAuthError(kInvalidRequest, "token is required"));
  auto answer = tokens_.Introspect(*app, client, token, f.Param("token_type_hint"));
  if (!answer.ok()) return WriteOAuthError(OAuthError(kServerError));
  http::Response r = http::JsonResponse(200, *answer);
  SetNoStore(r);
  return r;
}

http::Response TokenIntrospectionEndpoints::Revoke(http::Request& req) {
  auto app = apps_.Resolve(req.Param("app"));
  if (!app.ok()) return http::ProblemResponse(app.status());
  FormRequest f;
  auto fail = [](const OAuthError& e) {
    http::Response r = WriteOAuthError(e);
    AllowAnyOrigin(r);
    return r;
  };
  if (auto err = ReadOAuthForm(req, &f)) return fail(*err);
  store::OAuthClient client;
  if (auto err = AuthenticateClient(clients_, req, *app, f, /*allow_public=*/true, &client)) {
    return fail(*err);
  }
  std::string token = f.Param("token");
  if (token.empty()) return fail(OAuthError(kInvalidRequest, "token is required"));
  if (Status s = tokens_.Revoke(*app, client, token); !s.ok()) {
    return fail(OAuthError(kTemporarilyUnavailable));
  }
  http::Response r = http::TextResponse(200, "", "");
  SetNoStore(r);
  AllowAnyOrigin(r);
  return r;
}

}  // namespace tessera::oauth
