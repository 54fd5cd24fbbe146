#include "api/console_providers_api.h"

#include <boost/json.hpp>

#include "api/user_management_handlers.h"
#include "base/time_format.h"
#include "http/json_body.h"
#include "http/problem.h"

namespace tessera::api {
namespace json = boost::json;
using http::Request;
using http::Response;
using http::beast_http::verb;

namespace {

// The members a developer may send; on a change, `kind` is refused by the service.
services::ProviderInput ReadProviderInput(http::JsonBody& b, bool adding) {
  services::ProviderInput in;
  in.kind = b.String("kind", adding);
  in.slug = b.String("slug");
  in.display_name = b.String("display_name");
  in.enabled = b.Bool("enabled");
  in.client_id = b.String("client_id", adding);
  in.client_secret = b.String("client_secret");
  in.issuer = b.String("issuer");
  in.authorization_endpoint = b.String("authorization_endpoint");
  in.token_endpoint = b.String("token_endpoint");
  in.userinfo_endpoint = b.String("userinfo_endpoint");
  in.jwks_uri = b.String("jwks_uri");
  in.scopes = b.String("scopes");
  in.claim_mapping = b.Object("claim_mapping");
  in.allow_signup = b.Bool("allow_signup");
  in.trust_email = b.Bool("trust_email");
  return in;
}

}  // namespace

json::object IdentityProviderView(const store::IdentityProvider& p, std::string_view app_issuer) {
  json::value mapping = json::parse(p.claim_mapping_json.empty() ? "{}" : p.claim_mapping_json);
  return {{"id", p.id},
          {"slug", p.slug},
          {"kind", ToText(p.kind)},
          {"display_name", p.display_name},
          {"enabled", p.enabled},
          {"client_id", p.client_id},
          {"has_client_secret", !p.client_secret_sealed.empty()},
          {"issuer", p.issuer},
          {"authorization_endpoint", p.authorization_endpoint},
          {"token_endpoint", p.token_endpoint},
          {"userinfo_endpoint", p.userinfo_endpoint},
          {"jwks_uri", p.jwks_uri},
          {"scopes", p.scopes},
          {"claim_mapping", mapping.is_object() ? mapping : json::object()},
          {"allow_signup", p.allow_signup},
          {"trust_email", p.trust_email},
          {"callback_url", services::FederationCallbackUrl(app_issuer, p.slug)},
          {"created_at", FormatUtc(p.created_at, kRfc3339Utc)},
          {"updated_at", FormatUtc(p.updated_at, kRfc3339Utc)}};
}

void ConsoleProvidersApi::Mount(http::Router& r) {
  auto bind = [this](Response (ConsoleProvidersApi::*fn)(Request&)) {
    return [this, fn](Request& req) { return (this->*fn)(req); };
  };
  const std::string base = "/api/console/apps/{slug}/identity-providers";
  r.Add(verb::get, base, bind(&ConsoleProvidersApi::List));
  r.Add(verb::post, base, bind(&ConsoleProvidersApi::Add));
  r.Add(verb::get, base + "/{id}", bind(&ConsoleProvidersApi::Get));
  r.Add(verb::patch, base + "/{id}", bind(&ConsoleProvidersApi::Patch));
  r.Add(verb::delete_, base + "/{id}", bind(&ConsoleProvidersApi::Delete));
}

Response ConsoleProvidersApi::List(Request& req) {
  return caller_.InAccessibleApp(req, [&](const services::AppAccess& a, const services::Actor&) {
    auto list = providers_.List(a.app);
    if (!list.ok()) return http::ProblemResponse(list.status());
    const std::string issuer = apps_.IssuerFor(a.app.slug);
    json::array out;
    for (const auto& p : *list) out.push_back(IdentityProviderView(p, issuer));
    return http::JsonResponse(200, json::object{{"identity_providers", std::move(out)}});
  });
}

Response ConsoleProvidersApi::Add(Request& req) {
  return caller_.InAccessibleApp(req, [&](const services::AppAccess& a,
                                          const services::Actor& actor) {
    services::ProviderInput in;
    if (auto bad = http::ReadJson(req, [&](http::JsonBody& b) { in = ReadProviderInput(b, true); })) {
      return *bad;
    }
    auto added = providers_.Add(a.app, in, actor);
    if (!added.ok()) return http::ProblemResponse(added.status());
    return http::JsonResponse(201, IdentityProviderView(*added, apps_.IssuerFor(a.app.slug)));
  });
}

Response ConsoleProvidersApi::Get(Request& req) {
  return caller_.InAccessibleApp(req, [&](const services::AppAccess& a, const services::Actor&) {
    const std::string& id = req.Param("id");
    if (!IsPlausibleId(id)) return http::ProblemResponse(NotFoundError("no such provider"));
    auto p = providers_.Get(a.app, id);
    if (!p.ok()) return http::ProblemResponse(p.status());
    return http::JsonResponse(200, IdentityProviderView(*p, apps_.IssuerFor(a.app.slug)));
  });
}

Response ConsoleProvidersApi::Patch(Request& req) {
  return caller_.InAccessibleApp(req, [&](const services::AppAccess& a,
                                          const services::Actor& actor) {
    services::ProviderInput in;
    if (auto bad = http::ReadJson(req, [&](http::JsonBody& b) { in = ReadProviderInput(b, false); })) {
      return *bad;
    }
    const std::string& id = req.Param("id");
    if (!IsPlausibleId(id)) return http::ProblemResponse(NotFoundError("no such provider"));
    auto p = providers_.Update(a.app, id, in, actor);
    if (!p.ok()) return http::ProblemResponse(p.status());
    return http::JsonResponse(200, IdentityProviderView(*p, apps_.IssuerFor(a.app.slug)));
  });
}

Response ConsoleProvidersApi::Delete(Request& req) {
  return caller_.InAccessibleApp(req, [&](const services::AppAccess& a,
                                          const services::Actor& actor) {
    const std::string& id = req.Param("id");
    if (!IsPlausibleId(id)) return http::ProblemResponse(NotFoundError("no such provider"));
    Status s = providers_.Delete(a.app, id, actor);
    return s.ok() ? http::NoContent() : http::ProblemResponse(s);
  });
}

}  // namespace tessera::api
