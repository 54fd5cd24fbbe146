#include "api/console_credentials_api.h"

#include <boost/json.hpp>

#include "api/user_management_handlers.h"
#include "api/views.h"
#include "http/json_body.h"
#include "http/problem.h"

namespace tessera::api {
namespace json = boost::json;
using http::Request;
using http::Response;
using http::beast_http::verb;

void ConsoleCredentialsApi::Mount(http::Router& r) {
  auto bind = [this](Response (ConsoleCredentialsApi::*fn)(Request&)) {
    return [this, fn](Request& req) { return (this->*fn)(req); };
  };
  const std::string app = "/api/console/apps/{slug}";
  r.Add(verb::get, app + "/api-keys", bind(&ConsoleCredentialsApi::ListApiKeys));
  r.Add(verb::post, app + "/api-keys", bind(&ConsoleCredentialsApi::CreateApiKey));
  r.Add(verb::delete_, app + "/api-keys/{id}", bind(&ConsoleCredentialsApi::RevokeApiKey));
  r.Add(verb::get, app + "/clients", bind(&ConsoleCredentialsApi::ListClients));
  r.Add(verb::post, app + "/clients", bind(&ConsoleCredentialsApi::CreateClient));
  r.Add(verb::get, app + "/clients/{id}", bind(&ConsoleCredentialsApi::GetClient));
  r.Add(verb::patch, app + "/clients/{id}", bind(&ConsoleCredentialsApi::PatchClient));
  r.Add(verb::delete_, app + "/clients/{id}", bind(&ConsoleCredentialsApi::RevokeClient));
  r.Add(verb::post, app + "/clients/{id}/secret", bind(&ConsoleCredentialsApi::RotateClientSecret));
}

// ---------------------------------------------------------------- API keys

Response ConsoleCredentialsApi::ListApiKeys(Request& req) {
  return caller_.InAccessibleApp(req, [&](const services::AppAccess& a, const services::Actor&) {
    auto keys = keys_.List(a.app);
    if (!keys.ok()) return http::ProblemResponse(keys.status());
    json::array out;
    for (const auto& k : *keys) out.push_back(AppApiKeyView(k));
    return http::JsonResponse(200, json::object{{"api_keys", std::move(out)}});
  });
}

Response ConsoleCredentialsApi::CreateApiKey(Request& req) {
  return caller_.InAccessibleApp(
      req, [&](const services::AppAccess& a, const services::Actor& actor) {
        std::string name;
        if (auto bad = http::ReadJson(
                req, [&](http::JsonBody& b) { name = b.String("name", true).value_or(""); })) {
          return *bad;
        }
        auto created = keys_.Create(a.app, name, actor);
        if (!created.ok()) return http::ProblemResponse(created.status());
        json::object v = AppApiKeyView(created->record);
        v["key"] = created->key;  // the only time it is shown
        return http::JsonResponse(201, v);
      });
}

Response ConsoleCredentialsApi::RevokeApiKey(Request& req) {
  return caller_.InAccessibleApp(req,
                                 [&](const services::AppAccess& a, const services::Actor& actor) {
                                   const std::string& id = req.Param("id");
                                   if (!IsPlausibleId(id))
                                     return http::ProblemResponse(NotFoundError("no such API key"));
                                   Status s = keys_.Revoke(a.app, id, actor);
                                   return s.ok() ? http::NoContent() : http::ProblemResponse(s);
                                 });
}

// ---------------------------------------------------------------- OAuth clients

namespace {

// `jwks`, the client's public keys, is a JWK Set: a JSON object here, kept as its JSON text
// (ClientService judges the keys, naming "jwks"). nullopt when absent or refused (reported);
// "" for null where it removes the keys (a PATCH).
std::optional<std::string> JwksText(http::JsonBody& b, bool null_removes) {
  const json::value* v = b.Value("jwks");
  if (!v) return std::nullopt;
  if (v->is_object()) return json::serialize(v->get_object());
  if (null_removes && v->is_null()) return std::string();
  b.Fail("jwks", "must be a JWK Set object");
  return std::nullopt;
}

// `subject_type` (OIDC Registration metadata): "public" or "pairwise" (OIDC Core §8), as
// whether the client's `sub` is pairwise; nullopt when absent or refused (reported). Whether
// the app allows pairwise ones ClientService judges, naming "subject_type".
std::optional<bool> PairwiseSubject(http::JsonBody& b) {
  const json::value* v = b.Value("subject_type");
  if (!v) return std::nullopt;
  if (v->is_string() && (v->get_string() == "public" || v->get_string() == "pairwise")) {
    return v->get_string() == "pairwise";
  }
  b.Fail("subject_type", "must be public or pairwise");
  return std::nullopt;
}

}  // namespace

Response ConsoleCredentialsApi::ListClients(Request& req) {
  return caller_.InAccessibleApp(req, [&](const services::AppAccess& a, const services::Actor&) {
    auto clients = clients_.List(a.app);
    if (!clients.ok()) return http::ProblemResponse(clients.status());
    json::array out;
    for (const auto& c : *clients) {
      if (!c.revoked_at) out.push_back(OAuthClientView(c));
    }
    return http::JsonResponse(200, json::object{{"clients", std::move(out)}});
  });
}

Response ConsoleCredentialsApi::CreateClient(Request& req) {
  return caller_.InAccessibleApp(req, [&](const services::AppAccess& a,
                                          const services::Actor& actor) {
    services::ClientRegistration reg;
    if (auto bad = http::ReadJson(req, [&](http::JsonBody& b) {
          reg.name = b.String("name", true).value_or("");
          reg.is_public = b.Bool("is_public").value_or(false);
          reg.first_party = b.Bool("first_party").value_or(false);
          reg.redirect_uris = b.StringArray("redirect_uris").value_or(std::vector<std::string>{});
          reg.post_logout_redirect_uris =
              b.StringArray("post_logout_redirect_uris").value_or(std::vector<std::string>{});
          reg.grant_types = b.StringArray("grant_types").value_or(std::vector<std::string>{});
          reg.scopes = b.StringArray("scopes").value_or(std::vector<std::string>{});
          reg.id_token_signed_response_alg = b.String("id_token_signed_response_alg");
          reg.resource_server = b.Bool("resource_server").value_or(false);
          reg.require_pushed_authorization_requests =
              b.Bool("require_pushed_authorization_requests").value_or(false);
          reg.token_exchange_audiences =
              b.StringArray("token_exchange_audiences").value_or(std::vector<std::string>{});
          reg.dpop_bound_access_tokens = b.Bool("dpop_bound_access_tokens").value_or(false);
          reg.backchannel_logout_uri = b.String("backchannel_logout_uri").value_or("");
          reg.backchannel_logout_session_required =
              b.Bool("backchannel_logout_session_required").value_or(false);
          reg.jwks = JwksText(b, /*null_removes=*/false).value_or("");
          reg.require_signed_request_object =
              b.Bool("require_signed_request_object").value_or(false);
          reg.pairwise_subject = PairwiseSubject(b).value_or(false);
        })) {
      return *bad;
    }
    auto registered = clients_.Register(a.app, std::move(reg), actor);
    if (!registered.ok()) return http::ProblemResponse(registered.status());
    json::object v = OAuthClientView(registered->client);
    if (registered->secret) v["client_secret"] = *registered->secret;  // shown once
    return http::JsonResponse(201, v);
  });
}

Response ConsoleCredentialsApi::GetClient(Request& req) {
  return caller_.InAccessibleApp(req, [&](const services::AppAccess& a, const services::Actor&) {
    const std::string& id = req.Param("id");
    if (!IsPlausibleId(id)) return http::ProblemResponse(NotFoundError("no such client"));
    auto client = clients_.Find(a.app, id);
    if (!client.ok()) return http::ProblemResponse(client.status());
    return http::JsonResponse(200, OAuthClientView(*client));
  });
}

Response ConsoleCredentialsApi::PatchClient(Request& req) {
  return caller_.InAccessibleApp(
      req, [&](const services::AppAccess& a, const services::Actor& actor) {
        services::ClientUpdate u;
        if (auto bad = http::ReadJson(req, [&](http::JsonBody& b) {
              u.name = b.String("name");
              u.first_party = b.Bool("first_party");
              u.redirect_uris = b.StringArray("redirect_uris");
              u.post_logout_redirect_uris = b.StringArray("post_logout_redirect_uris");
              u.grant_types = b.StringArray("grant_types");
              u.scopes = b.StringArray("scopes");
              u.id_token_signed_response_alg = b.String("id_token_signed_response_alg");
              u.resource_server = b.Bool("resource_server");
              u.require_pushed_authorization_requests =
                  b.Bool("require_pushed_authorization_requests");
              u.token_exchange_audiences = b.StringArray("token_exchange_audiences");
              u.dpop_bound_access_tokens = b.Bool("dpop_bound_access_tokens");
              u.backchannel_logout_uri = b.String("backchannel_logout_uri");  // "" removes it
              u.backchannel_logout_session_required = b.Bool("backchannel_logout_session_required");
              u.jwks = JwksText(b, /*null_removes=*/true);  // null removes them
              u.require_signed_request_object = b.Bool("require_signed_request_object");
              u.pairwise_subject = PairwiseSubject(b);
              if (b.Has("is_public")) {
                b.Bool("is_public");
                b.Fail("is_public", "cannot be changed; register a new client instead");
              }
            })) {
          return *bad;
        }
        const std::string& id = req.Param("id");
        if (!IsPlausibleId(id)) return http::ProblemResponse(NotFoundError("no such client"));
        auto client = clients_.Update(a.app, id, u, actor);
        if (!client.ok()) return http::ProblemResponse(client.status());
        return http::JsonResponse(200, OAuthClientView(*client));
      });
}

Response ConsoleCredentialsApi::RevokeClient(Request& req) {
  return caller_.InAccessibleApp(req,
                                 [&](const services::AppAccess& a, const services::Actor& actor) {
                                   const std::string& id = req.Param("id");
                                   if (!IsPlausibleId(id))
                                     return http::ProblemResponse(NotFoundError("no such client"));
                                   Status s = clients_.Revoke(a.app, id, actor);
                                   return s.ok() ? http::NoContent() : http::ProblemResponse(s);
                                 });
}

Response ConsoleCredentialsApi::RotateClientSecret(Request& req) {
  return caller_.InAccessibleApp(
      req, [&](const services::AppAccess& a, const services::Actor& actor) {
        if (auto bad = http::ReadJson(req, [](http::JsonBody&) {}, {.allow_empty = true}))
          return *bad;
        const std::string& id = req.Param("id");
        if (!IsPlausibleId(id)) return http::ProblemResponse(NotFoundError("no such client"));
        auto secret = clients_.RotateSecret(a.app, id, actor);
        if (!secret.ok()) return http::ProblemResponse(secret.status());
        return http::JsonResponse(200, json::object{{"client_id", id}, {"client_secret", *secret}});
      });
}

}  // namespace tessera::api
