#include "api/system_api.h"

#include <boost/json.hpp>

#include "base/auth_scheme.h"
#include "http/problem.h"

namespace tessera::api {
using http::beast_http::verb;

// The digests are compared, in constant time: neither the token's bytes nor its length show
// in the timing.
bool SystemApi::MetricsAllowed(const http::Request& req) const {
  if (metrics_token_digest_.empty()) return true;
  std::string_view auth = req.Header(http::beast_http::field::authorization);
  auto token = AuthCredentials(auth, "bearer");
  if (!token) return false;
  return crypto::ConstantTimeEquals(crypto::Sha256(*token), metrics_token_digest_);
}

void SystemApi::Mount(http::Router& r) {
  r.Add(verb::get, "/healthz",
        [](http::Request&) { return http::JsonResponse(200, {{"status", "ok"}}); },
        http::Dispatch::kInline);
  r.Add(verb::get, "/readyz", [this](http::Request&) {
    if (shutting_down_ && shutting_down_()) {
      return http::Problem(503, "unavailable", "Not ready", "shutting down");
    }
    Status s = ready_probe_();
    if (!s.ok()) return http::Problem(503, "unavailable", "Not ready", "database unreachable");
    return http::JsonResponse(200, {{"status", "ready"}});
  });
  r.Add(verb::get, "/metrics",
        [this](http::Request& req) {
          if (!MetricsAllowed(req)) {
            http::Response r = http::Problem(401, "unauthorized", "Unauthorized",
                                             "/metrics needs its bearer token");
            r.WithHeader("WWW-Authenticate", "Bearer realm=\"metrics\"");
            return r;
          }
          return http::TextResponse(200, "text/plain; version=0.0.4; charset=utf-8",
                                    metrics_.RenderPrometheus());
        },
        http::Dispatch::kInline);
  r.Add(verb::get, "/apps/{app}/.well-known/jwks.json", [this](http::Request& req) {
    auto app = apps_.Resolve(req.Param("app"));
    if (!app.ok()) return http::ProblemResponse(app.status());
    http::Response res = http::JsonResponse(200, keys_.Current()->jwks);
    res.content_type = "application/jwk-set+json";
    // Caches may keep it briefly: a rotated key is published longer than this before it
    // signs (staged rotation, tokens/key_service.h).
    res.WithHeader("Cache-Control",
                   "public, max-age=" + std::to_string(services::kJwksMaxAgeS));
    res.WithHeader("Access-Control-Allow-Origin", "*");  // public keys, read by browser apps
    return res;
  });
}

}  // namespace tessera::api
