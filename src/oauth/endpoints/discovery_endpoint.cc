#include "oauth/endpoints/discovery_endpoint.h"

#include "oauth/acr.h"

#include <boost/json.hpp>

#include "http/problem.h"
#include "oauth/endpoints/cors.h"
#include "oauth/device_authorization_service.h"
#include "oauth/oidc_claims.h"
#include "oauth/request_object.h"
#include "tokens/dpop_proof_service.h"

namespace tessera::oauth {
namespace {

boost::json::array Strings(std::initializer_list<std::string_view> items) {
  boost::json::array a;
  for (auto s : items) a.emplace_back(s);
  return a;
}

}  // namespace

void DiscoveryEndpoint::Mount(http::Router& r) {
  r.Add(http::beast_http::verb::get, "/apps/{app}/.well-known/openid-configuration",
        [this](http::Request& q) { return Handle(q); });
  // RFC 8414 §3.1: for an issuer with a path, the well-known segment goes between the host and
  // the path; the appended form stays for clients that ask there.
  r.Add(http::beast_http::verb::get, "/.well-known/oauth-authorization-server/apps/{app}",
        [this](http::Request& q) { return Handle(q); });
  r.Add(http::beast_http::verb::get, "/apps/{app}/.well-known/oauth-authorization-server",
        [this](http::Request& q) { return Handle(q); });
}

http::Response DiscoveryEndpoint::Handle(http::Request& req) {
  auto app = apps_.Resolve(req.Param("app"));
  if (!app.ok()) return http::ProblemResponse(app.status());
  std::string iss = apps_.IssuerFor(app->slug);
  // Every algorithm a client may register for its ID tokens (RS256 is always among them, as
  // OIDC Discovery §3 requires).
  boost::json::array algs;
  for (crypto::JwsAlg a : keys_.algs()) algs.emplace_back(crypto::JwsAlgName(a));
  boost::json::array grant_types;
  for (std::string_view g : grants_.Names(*app)) grant_types.emplace_back(g);
  boost::json::array scopes;
  for (auto s : services::kOidcScopes) scopes.emplace_back(s);
  boost::json::array claims;
  for (const auto& c : services::SupportedClaims()) claims.emplace_back(c);
  auto auth_methods = Strings({"client_secret_basic", "client_secret_post", "none"});
  auto confidential_methods = Strings({"client_secret_basic", "client_secret_post"});
  boost::json::object doc{
      {"issuer", iss},
      {"authorization_endpoint", iss + "/oauth/authorize"},
      {"token_endpoint", iss + "/oauth/token"},
      {"userinfo_endpoint", iss + "/oauth/userinfo"},
      {"jwks_uri", iss + "/.well-known/jwks.json"},
      {"introspection_endpoint", iss + "/oauth/introspect"},
      {"revocation_endpoint", iss + "/oauth/revoke"},
      {"end_session_endpoint", iss + "/oauth/logout"},
      {"scopes_supported", scopes},
      {"response_types_supported", Strings({"code"})},
      {"response_modes_supported", Strings({"query", "form_post"})},
      {"grant_types_supported", grant_types},
      {"subject_types_supported", app->settings.pairwise_subjects
                                      ? Strings({"public", "pairwise"})
                                      : Strings({"public"})},
      {"id_token_signing_alg_values_supported", algs},
      {"token_endpoint_auth_methods_supported", auth_methods},
      {"introspection_endpoint_auth_methods_supported", confidential_methods},
      {"revocation_endpoint_auth_methods_supported", auth_methods},
      {"code_challenge_methods_supported", Strings({"S256"})},
      {"claims_supported", claims},
      {"claims_parameter_supported", false},
      {"request_parameter_supported", false},
      {"request_uri_parameter_supported", false},
      {"authorization_response_iss_parameter_supported", true},
      {"acr_values_supported",
       Strings({services::kAcrSingleFactor, services::kAcrMultiFactor})},
      {"prompt_values_supported", Strings({"none", "login", "consent", "select_account"})},
  };
  // Extensions an app has turned on (issue 19): listed only then.
  if (services::DeviceAuthorizationService::EnabledFor(*app)) {
    doc["device_authorization_endpoint"] = iss + "/oauth/device_authorization";
  }
  if (app->settings.par) {
    doc["pushed_authorization_request_endpoint"] = iss + "/oauth/par";
    // Per client (its require_pushed_authorization_requests), not for every client.
    doc["require_pushed_authorization_requests"] = false;
  }
  if (app->settings.dynamic_registration) {  // RFC 7591 §3, OIDC Discovery §3
    doc["registration_endpoint"] = iss + "/oauth/register";
  }
  if (app->settings.signed_request_objects) {  // RFC 9101 §10.1, OIDC Discovery §3
    doc["request_parameter_supported"] = true;
    boost::json::array algs;
    for (crypto::JwsAlg alg : services::RequestObjectVerifier::Algorithms()) {
      algs.emplace_back(crypto::JwsAlgName(alg));
    }
    doc["request_object_signing_alg_values_supported"] = std::move(algs);
  }
  if (app->settings.backchannel_logout) {  // OIDC Back-Channel Logout 1.0 §2.1
    doc["backchannel_logout_supported"] = true;
    doc["backchannel_logout_session_supported"] = true;  // every logout token carries sid
  }
  if (app->settings.dpop) {  // RFC 9449 §5.1
    boost::json::array algs;
    for (crypto::JwsAlg alg : services::DpopProofService::Algorithms()) {
      algs.emplace_back(crypto::JwsAlgName(alg));
    }
    doc["dpop_signing_alg_values_supported"] = std::move(algs);
  }
  http::Response r = http::JsonResponse(200, doc);
  r.WithHeader("Cache-Control", "public, max-age=300");
  AllowAnyOrigin(r);
  return r;
}

}  // namespace tessera::oauth
