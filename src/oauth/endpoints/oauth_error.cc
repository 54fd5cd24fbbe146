#include "oauth/endpoints/oauth_error.h"

#include <boost/json.hpp>

namespace tessera::oauth {
namespace {

unsigned HttpStatusOf(std::string_view code) {
  if (code == kInvalidClient) return 401;
  if (code == kServerError) return 500;
  if (code == kTemporarilyUnavailable) return 503;
  return 400;
}

}  // namespace

void SetNoStore(http::Response& r) {
  r.WithHeader("Cache-Control", "no-store");
  r.WithHeader("Pragma", "no-cache");
}

http::Response WriteOAuthError(const OAuthError& e) {
  boost::json::object body{{"error", e.code}};
  if (!e.description.empty()) body["error_description"] = e.description;
  unsigned status = HttpStatusOf(e.code);
  http::Response r = http::JsonResponse(status, body);
  SetNoStore(r);
  // The client authentication scheme we offer (RFC 6749 §2.3.1).
  if (status == 401) r.WithHeader("WWW-Authenticate", "Basic realm=\"tessera\"");
  if (status == 503) r.WithHeader("Retry-After", "1");
  return r;
}

}  // namespace tessera::oauth
