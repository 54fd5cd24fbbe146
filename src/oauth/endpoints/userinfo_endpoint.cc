#include "oauth/endpoints/userinfo_endpoint.h"

#include "base/auth_scheme.h"
#include "http/form.h"
#include "http/problem.h"
#include "oauth/endpoints/cors.h"
#include "oauth/endpoints/oauth_error.h"

namespace tessera::oauth {
namespace {

http::Response Challenge(unsigned status, std::string_view error, std::string_view description) {
  http::Response r = http::JsonResponse(
      status, boost::json::object{{"error", error.empty() ? "invalid_token" : error},
                                  {"error_description", description.empty() ? "an access token is required" : description}});
  std::string challenge = "Bearer realm=\"tessera\"";
  if (!error.empty()) challenge += ", error=\"" + std::string(error) + "\"";
  // Descriptions are ours (no quotes in them); kept out when empty.
  if (!description.empty()) challenge += ", error_description=\"" + std::string(description) + "\"";
  r.WithHeader("WWW-Authenticate", challenge);
  SetNoStore(r);
  AllowAnyOrigin(r);
  return r;
}

std::optional<std::string> BearerToken(const http::Request& req, std::string* error) {
  std::string_view h = req.Header(http::beast_http::field::authorization);
  std::optional<std::string> from_form;
  if (req.raw.method() == http::beast_http::verb::post && !req.body().empty()) {
    auto form = http::ParseForm(req.body());
    if (form.ok() && form->contains("access_token")) from_form = form->at("access_token");
  }
  if (!h.empty()) {
    if (from_form) {
      *error = "use one way of sending the token";
      return std::nullopt;
    }
    auto token = AuthCredentials(h, "bearer");
    if (!token) return std::nullopt;
    return std::string(*token);
  }
  return from_form;
}

}  // namespace

void UserInfoEndpoint::Mount(http::Router& r) {
  r.Add(http::beast_http::verb::get, "/apps/{app}/oauth/userinfo",
        [this](http::Request& q) { return Handle(q); });
  r.Add(http::beast_http::verb::post, "/apps/{app}/oauth/userinfo",
        [this](http::Request& q) { return Handle(q); });
  MountPreflight(r, "/apps/{app}/oauth/userinfo");
}

http::Response UserInfoEndpoint::Handle(http::Request& req) {
  auto app = apps_.Resolve(req.Param("app"));
  if (!app.ok()) return http::ProblemResponse(app.status());
  std::string error;
  auto token = BearerToken(req, &error);
  if (!error.empty()) return Challenge(400, "invalid_request", error);
  if (!token || token->empty()) return Challenge(401, "", "");  // RFC 6750 §3.1: no error code
  auto claims = tokens_.UserInfo(*app, *token);
  if (!claims.ok()) {
    switch (claims.status().code()) {
      case StatusCode::kUnauthenticated:
        return Challenge(401, "invalid_token", "the access token is invalid, expired or revoked");
      case StatusCode::kPermissionDenied:
        return Challenge(403, "insufficient_scope", "the token lacks the openid scope");
      default: return http::ProblemResponse(claims.status());
    }
  }
  http::Response r = http::JsonResponse(200, *claims);
  SetNoStore(r);
  AllowAnyOrigin(r);
  return r;
}

}  // namespace tessera::oauth
