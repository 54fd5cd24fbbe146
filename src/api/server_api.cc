#include "api/server_api.h"

#include "api/api_support.h"
#include "http/problem.h"

namespace tessera::api {
using http::beast_http::verb;
using http::Request;
using http::Response;

namespace {

// The answer to an unknown app (AppService::Resolve), also given to a key of another app.
Response UnknownApp() { return http::ProblemResponse(NotFoundError("no such app")); }

}  // namespace

void ServerApi::Mount(http::Router& r) {
  const std::string base = "/apps/{app}/api";
  using UserFn = Response (UserManagementHandlers::*)(const Request&, const store::App&,
                                                      const services::Actor&);
  auto as_key = [this](UserFn fn) {
    return [this, fn](Request& req) {
      return WithKey(req, [&](const store::App& app, const services::Actor& actor) {
        return (user_handlers_.*fn)(req, app, actor);
      });
    };
  };
  r.Add(verb::post, base + "/users", as_key(&UserManagementHandlers::Create),
        http::Dispatch::kHashing);
  r.Add(verb::get, base + "/users", [this](Request& req) {
    return WithKey(req, [&](const store::App& app, const services::Actor&) {
      return user_handlers_.List(req, app);
    });
  });
  r.Add(verb::get, base + "/users/{id}", [this](Request& req) {
    return WithKey(req, [&](const store::App& app, const services::Actor&) {
      return user_handlers_.Get(req, app);
    });
  });
  r.Add(verb::patch, base + "/users/{id}", as_key(&UserManagementHandlers::Update));
  r.Add(verb::delete_, base + "/users/{id}", as_key(&UserManagementHandlers::Delete));
  r.Add(verb::post, base + "/users/{id}/tokens", as_key(&UserManagementHandlers::IssueTokens));
  r.Add(verb::delete_, base + "/users/{id}/sessions",
        as_key(&UserManagementHandlers::SignOutEverywhere));
  r.Add(verb::post, base + "/users/{id}/password-reset",
        as_key(&UserManagementHandlers::SendPasswordReset));
  r.Add(verb::get, base + "/users/{id}/mfa", [this](Request& req) {
    return WithKey(req, [&](const store::App& app, const services::Actor&) {
      return user_handlers_.Factors(req, app);
    });
  });
  r.Add(verb::delete_, base + "/users/{id}/mfa", as_key(&UserManagementHandlers::ResetFactors));
  r.Add(verb::get, base + "/audit-events", [this](Request& req) { return ListAuditEvents(req); });
  if (federation_) {
    r.Add(verb::post, base + "/auth/token", [this](Request& req) { return RedeemFederationCode(req); });
  }
}

Response ServerApi::RedeemFederationCode(Request& req) {
  return WithKey(req, [&](const store::App& app, const services::Actor&) {
    std::string code, redirect_uri, verifier;
    if (auto bad = http::ReadJson(req, [&](http::JsonBody& b) {
          code = b.String("code", true).value_or("");
          redirect_uri = b.String("redirect_uri", true).value_or("");
          verifier = b.String("code_verifier", false).value_or("");
        })) {
      return *bad;
    }
    if (mfa_) {
      // The upstream proved a first factor; a user with factors is asked for one (the answer
      // carries the mfa_token the app's client completes at login/mfa).
      auto redeemed = federation_->RedeemApiCodeUser(app, code, redirect_uri, verifier);
      if (!redeemed.ok()) return http::ProblemResponse(redeemed.status());
      auto signed_in = mfa_->ApiAfterFirstFactor(app, std::move(redeemed->user), ClientOf(req),
                                                 redeemed->provider,
                                                 services::FirstFactor{"fed", "", ""});
      if (!signed_in.ok()) return http::ProblemResponse(signed_in.status());
      return ApiSignInResponse(app, *signed_in);
    }
    auto grant = federation_->RedeemApiCode(app, code, redirect_uri, verifier, ClientOf(req));
    if (!grant.ok()) return http::ProblemResponse(grant.status());
    return TokenGrantResponse(app, *grant);
  });
}

Response ServerApi::WithKey(Request& req, const KeyHandler& fn) {
  auto app = apps_.Resolve(req.Param("app"));
  if (!app.ok()) return http::ProblemResponse(app.status());
  std::string_view header = req.Header(http::beast_http::field::authorization);
  auto key = keys_.Authenticate(header);
  if (!key.ok()) return AuthenticationFailed(key.status(), header, apps_.IssuerFor(app->slug));
  // "A key of app A gets 404 for anything of app B": indistinguishable from no app B.
  if (key->app_id != app->id) return UnknownApp();
  services::ClientInfo client = ClientOf(req);
  services::Actor actor{store::AuditActorType::kApiKey, key->id, client.ip, client.user_agent};
  return fn(*app, actor);
}

Response ServerApi::ListAuditEvents(Request& req) {
  return WithKey(req, [&](const store::App& app, const services::Actor&) {
    auto query = http::ReadKnownQuery(req, kAuditQuery);
    if (!query.ok()) return http::ProblemResponse(query.status());
    auto filter = AuditFilterOf(*query);
    if (!filter.ok()) return http::ProblemResponse(filter.status());
    filter->app_id = app.id;  // always the key's app
    return AuditEventsResponse(audit_, *filter);
  });
}

}  // namespace tessera::api
