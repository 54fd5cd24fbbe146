#include "oauth/endpoints/userinfo_endpoint.h"

#include "base/auth_scheme.h"
#include "crypto/signing_key.h"
#include "http/form.h"
#include "http/problem.h"
#include "oauth/endpoints/cors.h"
#include "oauth/endpoints/oauth_error.h"

namespace tessera::oauth {
namespace {

// The token as the request presented it: under the Bearer or the DPoP scheme, or in a POSTed
// form (bearer only, RFC 6750 §2.2).
struct Presented {
  std::optional<std::string> token;
  bool dpop_scheme = false;
  std::string error;  // set when it was presented in two ways at once
};

Presented PresentedToken(const http::Request& req) {
  Presented p;
  std::string_view h = req.Header(http::beast_http::field::authorization);
  std::optional<std::string> from_form;
  if (req.raw.method() == http::beast_http::verb::post && !req.body().empty()) {
    auto form = http::ParseForm(req.body());
    if (form.ok() && form->contains("access_token")) from_form = form->at("access_token");
  }
  if (h.empty()) {
    p.token = std::move(from_form);
    return p;
  }
  if (from_form) {
    p.error = "use one way of sending the token";
    return p;
  }
  if (auto bearer = AuthCredentials(h, "bearer")) {
    p.token = std::string(*bearer);
  } else if (auto dpop = AuthCredentials(h, "dpop")) {
    p.token = std::string(*dpop);
    p.dpop_scheme = true;
  }
  return p;
}

// RFC 6750 §3 / RFC 9449 §7.1 challenges. The DPoP one names the algorithms proofs may use.
class Challenges {
 public:
  Challenges(bool bearer, bool dpop) : bearer_(bearer), dpop_(dpop) {}

  http::Response Answer(unsigned status, std::string_view error,
                        std::string_view description) const {
    http::Response r = http::JsonResponse(
        status,
        boost::json::object{
            {"error", error.empty() ? "invalid_token" : error},
            {"error_description", description.empty() ? "an access token is required" : description}});
    std::string params;
    if (!error.empty()) params += ", error=\"" + std::string(error) + "\"";
    // Descriptions are ours (no quotes in them); kept out when empty.
    if (!description.empty()) params += ", error_description=\"" + std::string(description) + "\"";
    if (bearer_) r.WithHeader("WWW-Authenticate", "Bearer realm=\"tessera\"" + params);
    if (dpop_) r.WithHeader("WWW-Authenticate", "DPoP algs=\"" + Algs() + "\"" + params);
    SetNoStore(r);
    AllowAnyOrigin(r);
    return r;
  }

 private:
  static std::string Algs() {
    std::string out;
    for (crypto::JwsAlg alg : services::DpopProofService::Algorithms()) {
      if (!out.empty()) out += ' ';
      out += crypto::JwsAlgName(alg);
    }
    return out;
  }
  bool bearer_, dpop_;
};

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
  http::Response r = Answer(req, *app);
  if (app->settings.dpop && app->settings.dpop_nonce && dpop_ != nullptr) {
    r.WithHeader("DPoP-Nonce", dpop_->Nonce(*app));  // §9: the resource's nonce, with every answer
  }
  return r;
}

http::Response UserInfoEndpoint::Answer(http::Request& req, const store::App& app) {
  Presented p = PresentedToken(req);
  // The scheme the client used is the one challenged; with none, every scheme offered.
  bool dpop_on = app.settings.dpop && dpop_ != nullptr;
  // (DPoP scheme while DPoP is off: the one scheme offered, Bearer, is challenged.)
  Challenges challenge(!p.dpop_scheme || !dpop_on, dpop_on && (p.dpop_scheme || !p.token));
  if (!p.error.empty()) return challenge.Answer(400, "invalid_request", p.error);
  if (!p.token || p.token->empty()) return challenge.Answer(401, "", "");  // §3.1: no error code
  services::TokenPresentation how{p.dpop_scheme, req.Headers("DPoP"),
                                  std::string_view(req.raw.method_string()),
                                  apps_.IssuerFor(app.slug) + "/oauth/userinfo"};
  auto claims = tokens_.UserInfo(app, *p.token, how);
  if (!claims.ok()) {
    const std::string& why = claims.status().message();  // said for the client (UserInfo)
    switch (claims.status().code()) {
      case StatusCode::kUnauthenticated: return challenge.Answer(401, "invalid_token", why);
      case StatusCode::kInvalidArgument: return challenge.Answer(401, "invalid_dpop_proof", why);
      case StatusCode::kFailedPrecondition: return challenge.Answer(401, "use_dpop_nonce", why);
      case StatusCode::kPermissionDenied:
        return challenge.Answer(403, "insufficient_scope", "the token lacks the openid scope");
      default: return http::ProblemResponse(claims.status());
    }
  }
  http::Response r = http::JsonResponse(200, *claims);
  SetNoStore(r);
  AllowAnyOrigin(r);
  return r;
}

}  // namespace tessera::oauth
