#include "oauth/endpoints/client_authentication.h"

#include "crypto/encoding.h"
#include "http/form.h"
#include "http/problem.h"

namespace tessera::oauth {
namespace {

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

std::optional<OAuthError> Failed(const Status& s) {
  if (s.code() != StatusCode::kUnauthenticated) return OAuthError(kServerError);
  return OAuthError(kInvalidClient, "client authentication failed");
}

}  // namespace

std::optional<OAuthError> ReadOAuthForm(const http::Request& req, FormRequest* out) {
  auto form = http::ReadFormBody(req);
  if (!form.ok()) return OAuthError(kInvalidRequest, form.status().message());
  out->form = std::move(*form);
  return std::nullopt;
}

std::optional<OAuthError> AuthenticateClient(services::ClientService& clients,
                                             const http::Request& req, const store::App& app,
                                             const FormRequest& t, bool allow_public,
                                             store::OAuthClient* client) {
  std::string_view authorization = req.Header(http::beast_http::field::authorization);
  bool has_post_secret = t.form.contains("client_secret");
  if (!authorization.empty()) {
    if (has_post_secret) {
      return OAuthError(kInvalidRequest, "use one client authentication method, not two");
    }
    auto basic = ParseBasic(authorization);
    if (!basic) return OAuthError(kInvalidClient, "malformed HTTP Basic credentials");
    if (t.form.contains("client_id") && t.Param("client_id") != basic->first) {
      return OAuthError(kInvalidRequest, "client_id does not match the authenticated client");
    }
    auto c = clients.Authenticate(app, basic->first, basic->second);
    if (!c.ok()) return Failed(c.status());
    *client = std::move(*c);
    return std::nullopt;
  }
  std::string client_id = t.Param("client_id");
  if (client_id.empty()) return OAuthError(kInvalidClient, "client authentication is required");
  if (!has_post_secret && !allow_public) {
    return OAuthError(kInvalidClient, "client authentication is required");
  }
  auto c = has_post_secret ? clients.Authenticate(app, client_id, t.Param("client_secret"))
                           : clients.FindPublic(app, client_id);
  if (!c.ok()) return Failed(c.status());
  *client = std::move(*c);
  return std::nullopt;
}

std::optional<http::Response> ReadClientFormPost(services::AppService& apps,
                                                 services::ClientService& clients,
                                                 const http::Request& req, ClientFormPost* out) {
  auto app = apps.Resolve(req.Param("app"));
  if (!app.ok()) return http::ProblemResponse(app.status());
  out->app = std::move(*app);
  if (auto err = ReadOAuthForm(req, &out->form)) return WriteOAuthError(*err);
  if (auto err = AuthenticateClient(clients, req, out->app, out->form, /*allow_public=*/true,
                                    &out->client)) {
    return WriteOAuthError(*err);
  }
  return std::nullopt;
}

}  // namespace tessera::oauth
