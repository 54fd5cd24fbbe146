#include "oauth/endpoints/client_registration_endpoint.h"

#include <boost/json.hpp>

#include "base/auth_scheme.h"
#include "http/json_body.h"
#include "http/problem.h"
#include "oauth/endpoints/oauth_error.h"

namespace tessera::oauth {
namespace json = boost::json;
namespace {

// The bearer token of the Authorization header; "" when there is none.
std::string_view BearerToken(const http::Request& req) {
  return AuthCredentials(req.Header(http::beast_http::field::authorization), "bearer").value_or("");
}

// The request's JSON object, or the RFC 7591 error to answer.
services::OAuthResult<json::object> MetadataOf(const http::Request& req) {
  if (!http::IsJsonMediaType(req.Header(http::beast_http::field::content_type))) {
    return OAuthError(services::kInvalidClientMetadata, "the body must be application/json");
  }
  boost::system::error_code ec;
  json::parse_options options;
  options.max_depth = 32;
  json::value v = json::parse(req.body(), ec, {}, options);
  if (ec || !v.is_object()) {
    return OAuthError(services::kInvalidClientMetadata, "the body must be one JSON object");
  }
  return std::move(v.as_object());
}

http::Response Error(const OAuthError& e) {
  if (e.code != services::kInvalidToken) return WriteOAuthError(e);
  // RFC 6750 §3: the token that failed is a bearer token, not client credentials.
  http::Response r = http::JsonResponse(
      401, json::object{{"error", e.code}, {"error_description", e.description}});
  r.WithHeader("WWW-Authenticate", "Bearer realm=\"tessera\", error=\"invalid_token\"");
  SetNoStore(r);
  return r;
}

http::Response Answer(unsigned status, const services::DynamicRegistration& d,
                      const std::string& issuer) {
  json::object body = services::RegisteredClientMetadata(d.client);
  if (d.client_secret) body["client_secret"] = *d.client_secret;
  body["registration_access_token"] = d.registration_access_token;
  body["registration_client_uri"] = issuer + "/oauth/register/" + d.client.client_id;
  http::Response r = http::JsonResponse(status, body);
  SetNoStore(r);
  return r;
}

}  // namespace

void ClientRegistrationEndpoint::Mount(http::Router& r) {
  namespace verb = http::beast_http;
  r.Add(verb::verb::post, "/apps/{app}/oauth/register", [this](http::Request& q) { return Register(q); });
  for (auto v : {verb::verb::get, verb::verb::put, verb::verb::delete_}) {
    r.Add(v, "/apps/{app}/oauth/register/{client_id}", [this](http::Request& q) { return Manage(q); });
  }
}

http::Response ClientRegistrationEndpoint::Register(http::Request& req) {
  auto app = apps_.Resolve(req.Param("app"));
  if (!app.ok()) return http::ProblemResponse(app.status());
  // The token first: without one, nothing about the body is said.
  std::string_view token = BearerToken(req);
  if (token.empty()) return Error(OAuthError(services::kInvalidToken, "an initial access token is required"));
  auto metadata = MetadataOf(req);
  if (!metadata.ok()) return Error(metadata.error());
  auto registered = registration_.Register(*app, token, *metadata);
  if (!registered.ok()) return Error(registered.error());
  return Answer(201, *registered, apps_.IssuerFor(app->slug));
}

http::Response ClientRegistrationEndpoint::Manage(http::Request& req) {
  auto app = apps_.Resolve(req.Param("app"));
  if (!app.ok()) return http::ProblemResponse(app.status());
  const std::string& client_id = req.Param("client_id");
  std::string_view token = BearerToken(req);
  std::string issuer = apps_.IssuerFor(app->slug);
  switch (req.raw.method()) {
    case http::beast_http::verb::get: {
      auto got = registration_.Read(*app, client_id, token);
      return got.ok() ? Answer(200, *got, issuer) : Error(got.error());
    }
    case http::beast_http::verb::put: {
      auto metadata = MetadataOf(req);
      if (!metadata.ok()) {
        // A bad token is answered first, whatever the body.
        auto who = registration_.Read(*app, client_id, token);
        return Error(who.ok() ? metadata.error() : who.error());
      }
      auto replaced = registration_.Replace(*app, client_id, token, *metadata);
      return replaced.ok() ? Answer(200, *replaced, issuer) : Error(replaced.error());
    }
    default: {
      auto deleted = registration_.Delete(*app, client_id, token);
      if (!deleted.ok()) return Error(deleted.error());
      http::Response r = http::NoContent();
      SetNoStore(r);
      return r;
    }
  }
}

}  // namespace tessera::oauth
