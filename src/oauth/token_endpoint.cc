#include "oauth/token_endpoint.h"

#include <boost/json.hpp>

#include <set>
#include <sstream>

#include "crypto/encoding.h"
#include "http/form.h"
#include "http/problem.h"

namespace tessera::oauth {
namespace {

bool IsFormContentType(std::string_view ct) {
  std::string type(ct.substr(0, ct.find(';')));
  while (!type.empty() && type.back() == ' ') type.pop_back();
  for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return type == "application/x-www-form-urlencoded";
}

bool Allows(const store::OAuthClient& c, std::string_view grant) {
  return std::find(c.grant_types.begin(), c.grant_types.end(), grant) != c.grant_types.end();
}

std::vector<std::string> SplitScope(const std::string& scope) {
  std::vector<std::string> out;
  std::istringstream in(scope);
  for (std::string s; in >> s;) out.push_back(s);
  return out;
}

// client_secret_basic: base64(urlencode(id) ":" urlencode(secret)) (RFC 6749 §2.3.1).
std::optional<std::pair<std::string, std::string>> ParseBasic(std::string_view header) {
  if (header.size() < 6) return std::nullopt;
  std::string scheme(header.substr(0, 6));
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (scheme != "basic ") return std::nullopt;
  auto decoded = crypto::Base64Decode(header.substr(6));
  if (!decoded) return std::nullopt;
  size_t colon = decoded->find(':');
  if (colon == std::string::npos) return std::nullopt;
  auto id = http::FormDecode(std::string_view(*decoded).substr(0, colon));
  auto secret = http::FormDecode(std::string_view(*decoded).substr(colon + 1));
  if (!id || !secret) return std::nullopt;
  return std::make_pair(*id, *secret);
}

}  // namespace

void TokenEndpoint::Mount(http::Router& r) {
  r.Add(http::beast_http::verb::post, "/apps/{app}/oauth/token",
        [this](http::Request& req) { return Handle(req); });
}

std::optional<OAuthError> TokenEndpoint::AuthenticateClient(const http::Request& req,
                                                            const store::App& app,
                                                            const TokenRequest& t,
                                                            store::OAuthClient* client) {
  std::string_view authorization = req.Header(http::beast_http::field::authorization);
  bool has_post_secret = t.form.contains("client_secret");
  if (!authorization.empty()) {
    if (has_post_secret) {
      return MakeError(kInvalidRequest, "use one client authentication method, not two");
    }
    auto basic = ParseBasic(authorization);
    if (!basic) return MakeError(kInvalidClient, "malformed HTTP Basic credentials");
    if (t.form.contains("client_id") && t.Param("client_id") != basic->first) {
      return MakeError(kInvalidRequest, "client_id does not match the authenticated client");
    }
    auto c = clients_.Authenticate(app, basic->first, basic->second);
    if (!c.ok()) {
      if (c.status().code() != StatusCode::kUnauthenticated) {
        return MakeError(kServerError, "");
      }
      return MakeError(kInvalidClient, "client authentication failed");
    }
    *client = std::move(*c);
    return std::nullopt;
  }
  std::string client_id = t.Param("client_id");
  if (client_id.empty()) return MakeError(kInvalidClient, "client authentication is required");
  auto c = has_post_secret ? clients_.Authenticate(app, client_id, t.Param("client_secret"))
                           : clients_.FindPublic(app, client_id);
  if (!c.ok()) {
    if (c.status().code() != StatusCode::kUnauthenticated) return MakeError(kServerError, "");
    return MakeError(kInvalidClient, "client authentication failed");
  }
  *client = std::move(*c);
  return std::nullopt;
}

http::Response TokenEndpoint::Handle(http::Request& req) {
  auto app = apps_.Resolve(req.Param("app"));
  if (!app.ok()) return http::ProblemResponse(app.status());
  // (1) the form
  if (!IsFormContentType(req.Header(http::beast_http::field::content_type))) {
    return WriteOAuthError(
        MakeError(kInvalidRequest, "the body must be application/x-www-form-urlencoded"));
  }
  auto form = http::ParseForm(req.body());
  if (!form.ok()) return WriteOAuthError(MakeError(kInvalidRequest, form.status().message()));
  TokenRequest t{std::move(*form)};
  std::string grant = t.Param("grant_type");
  if (grant.empty()) return WriteOAuthError(MakeError(kInvalidRequest, "grant_type is required"));
  // (2) the client
  store::OAuthClient client;
  if (auto err = AuthenticateClient(req, *app, t, &client)) return WriteOAuthError(*err);
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
  return WriteOAuthError(MakeError(kUnsupportedGrantType, "grant_type not yet served: " + grant));
}

// RFC 6749 §4.4: the client acts on its own behalf; no refresh token (§4.4.3).
http::Response TokenEndpoint::ClientCredentials(const store::App& app,
                                                const store::OAuthClient& client,
                                                const TokenRequest& t) {
  std::vector<std::string> requested = SplitScope(t.Param("scope"));
  std::set<std::string> allowed(client.scopes.begin(), client.scopes.end());
  // OIDC scopes describe a user; there is none in this grant.
  allowed.erase("openid");
  allowed.erase("offline_access");
  if (requested.empty()) requested.assign(allowed.begin(), allowed.end());
  for (const auto& s : requested) {
    if (!allowed.contains(s)) return WriteOAuthError(MakeError(kInvalidScope, "scope not allowed: " + s));
  }
  std::set<std::string> granted(requested.begin(), requested.end());
  std::string scope;
  for (const auto& s : granted) scope += (scope.empty() ? "" : " ") + s;
  std::string issuer = apps_.IssuerFor(app.slug);
  auto token = access_tokens_.Issue({issuer, issuer, client.client_id, client.client_id, scope, "", 0});
  if (!token.ok()) return WriteOAuthError(MakeError(kServerError, ""));
  boost::json::object body{{"access_token", token->token},
                           {"token_type", "Bearer"},
                           {"expires_in", token->expires_in}};
  if (!scope.empty()) body["scope"] = scope;
  http::Response r = http::JsonResponse(200, body);
  SetNoStore(r);
  return r;
}

}  // namespace tessera::oauth
