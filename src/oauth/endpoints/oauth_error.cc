#include "oauth/endpoints/oauth_error.h"

#include <boost/json.hpp>

namespace tessera::oauth {

OAuthError MakeError(std::string_view code, std::string description) {
  OAuthError e{std::string(code), std::move(description), 400, false};
  if (code == kInvalidClient) {
    e.http_status = 401;
    e.basic_challenge = true;  // the client authentication scheme we offer (RFC 6749 §2.3.1)
  }
  if (code == kServerError) e.http_status = 500;
  if (code == kTemporarilyUnavailable) e.http_status = 503;
  return e;
}

void SetNoStore(http::Response& r) {
  r.WithHeader("Cache-Control", "no-store");
  r.WithHeader("Pragma", "no-cache");
}

http::Response WriteOAuthError(const OAuthError& e) {
  boost::json::object body{{"error", e.error}};
  if (!e.description.empty()) body["error_description"] = e.description;
  http::Response r = http::JsonResponse(e.http_status, body);
  SetNoStore(r);
  if (e.http_status == 401) {
    r.WithHeader("WWW-Authenticate",
                 e.basic_challenge ? "Basic realm=\"tessera\"" : "Bearer realm=\"tessera\"");
  }
  if (e.http_status == 503) r.WithHeader("Retry-After", "1");
  return r;
}

}  // namespace tessera::oauth
