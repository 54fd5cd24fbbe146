#include "oauth/endpoints/token_endpoint.h"

#include <boost/json.hpp>

#include <set>
#include <sstream>

#include "http/problem.h"
#include "oauth/endpoints/cors.h"
#include "tenancy/app_settings.h"
#include "oauth/oidc_claims.h"

namespace tessera::oauth {
namespace {

bool Allows(const store::OAuthClient& c, std::string_view grant) {
  return std::find(c.grant_types.begin(), c.grant_types.end(), grant) != c.grant_types.end();
}

http::Response TokenResponse(const services::GrantedTokens& t) {
  boost::json::object body{{"access_token", t.access_token},
                           {"token_type", "Bearer"},
                           {"expires_in", t.expires_in}};
  if (!t.scope.empty()) body["scope"] = t.scope;
  if (t.refresh_token) body["refresh_token"] = *t.refresh_token;
  if (t.id_token) body["id_token"] = *t.id_token;
  http::Response r = http::JsonResponse(200, body);
  SetNoStore(r);
  return r;
}

}  // namespace

OAuthError GrantError(const Status& s) {
  switch (s.code()) {
    case StatusCode::kInvalidArgument: return MakeError(kInvalidRequest, s.message());
    case StatusCode::kFailedPrecondition: return MakeError(kInvalidGrant, s.message());
    case StatusCode::kPermissionDenied: return MakeError(kInvalidScope, s.message());
    case StatusCode::kUnavailable:
    case StatusCode::kResourceExhausted: return MakeError(kTemporarilyUnavailable, "");
    default: return MakeError(kServerError, "");
  }
}

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
  // (1) the form
  FormRequest t;
  if (auto err = ReadOAuthForm(req, &t)) return WriteOAuthError(*err);
  std::string grant = t.Param("grant_type");
  if (grant.empty()) return WriteOAuthError(MakeError(kInvalidRequest, "grant_type is required"));
  // (2) the client
  store::OAuthClient client;
  if (auto err = AuthenticateClient(clients_, req, *app, t, /*allow_public=*/true, &client)) {
    return WriteOAuthError(*err);
  }
  // (3) the grant
  if (!services::IsSupportedGrant(grant)) {
    return WriteOAuthError(MakeError(kUnsupportedGrantType, "unsupported grant_type: " + grant));
  }
  if (!Allows(client, grant)) {
    return WriteOAuthError(
        MakeError(kUnauthorizedClient, "this client may not use the " + grant + " grant"));
  }
  // (4) run it
  if (grant == "client_credentials") return ClientCredentials(*app, client, t);
  Result<services::GrantedTokens> tokens = [&]() -> Result<services::GrantedTokens> {
    if (grant == "authorization_code") {
      return grants_.ExchangeCode(*app, client, t.Param("code"), t.Optional("redirect_uri"),
                                  t.Optional("code_verifier"));
    }
    return grants_.Refresh(*app, client, t.Param("refresh_token"), t.Optional("scope"),
                           {req.remote_ip, std::string(req.Header(http::beast_http::field::user_agent))});
  }();
  if (!tokens.ok()) return WriteOAuthError(GrantError(tokens.status()));
  return TokenResponse(*tokens);
}

// RFC 6749 §4.4: the client acts on its own behalf; no refresh token (§4.4.3).
http::Response TokenEndpoint::ClientCredentials(const store::App& app,
                                                const store::OAuthClient& client,
                                                const FormRequest& t) {
  std::vector<std::string> requested = services::SplitScopes(t.Param("scope"));
  std::set<std::string> allowed(client.scopes.begin(), client.scopes.end());
  // OIDC scopes describe a user; there is none in this grant.
  for (auto s : services::kOidcScopes) allowed.erase(std::string(s));
  allowed.erase(std::string(services::kAccountScope));
  if (requested.empty()) requested.assign(allowed.begin(), allowed.end());
  for (const auto& s : requested) {
    if (!allowed.contains(s)) return WriteOAuthError(MakeError(kInvalidScope, "scope not allowed: " + s));
  }
  std::set<std::string> granted(requested.begin(), requested.end());
  std::string scope;
  for (const auto& s : granted) scope += (scope.empty() ? "" : " ") + s;
  std::string issuer = apps_.IssuerFor(app.slug);
  auto token = access_tokens_.Issue({issuer, issuer, client.client_id, client.client_id, scope, "",
                                     0, app.settings.access_token_ttl_s});
  if (!token.ok()) return WriteOAuthError(MakeError(kServerError, ""));
  services::GrantedTokens out;
  out.access_token = token->token;
  out.expires_in = token->expires_in;
  out.scope = scope;
  return TokenResponse(out);
}

}  // namespace tessera::oauth
