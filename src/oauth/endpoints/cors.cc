#include "oauth/endpoints/cors.h"

namespace tessera::oauth {

void AllowAnyOrigin(http::Response& r) {
  r.WithHeader("Access-Control-Allow-Origin", "*");
  // A browser client must read these to answer a DPoP nonce or a bearer challenge.
  r.WithHeader("Access-Control-Expose-Headers", "DPoP-Nonce, WWW-Authenticate");
}

void MountPreflight(http::Router& router, const std::string& pattern) {
  router.Add(http::beast_http::verb::options, pattern, [](http::Request&) {
    http::Response r = http::NoContent();
    AllowAnyOrigin(r);
    r.WithHeader("Access-Control-Allow-Methods", "GET, POST");
    r.WithHeader("Access-Control-Allow-Headers", "Authorization, Content-Type, DPoP");
    r.WithHeader("Access-Control-Max-Age", "600");
    return r;
  }, http::Dispatch::kInline);
}

}  // namespace tessera::oauth
