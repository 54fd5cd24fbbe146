// `tessera admin create-api-key`, `admin create-client` and `admin
// create-|list-|revoke-registration-token`: the credentials of an app's backend (the
// server-to-server API), of its OAuth clients, and the initial access tokens with which
// software registers its own clients (RFC 7591), made by the same services as in the
// consoles. Secrets are printed once: only their hashes are stored. Open only the store (no
// keys, no server).
#include <boost/json.hpp>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "api/views.h"
#include "app/core_services.h"
#include "base/json_util.h"
#include "cli/commands.h"

namespace tessera::cli {
namespace {

struct CreateApiKeyArgs {
  std::string app = "default", name;
  bool json = false;
};

int CreateApiKey(const app::Config& c, const CreateApiKeyArgs& a) {
  auto core = app::CoreServices::Open(c);
  if (!core.ok()) return Fail(core.status());
  auto app = ResolveApp((*core)->apps(), a.app);
  if (!app.ok()) return Fail(app.status());
  auto key = (*core)->app_api_keys().Create(*app, a.name, services::CliActor());
  if (!key.ok()) return Fail(key.status());
  if (a.json) {
    PrintJson(boost::json::object{{"id", key->record.id},
                                  {"name", key->record.name},
                                  {"prefix", key->record.prefix},
                                  {"key", key->key}});
  } else {
    std::cout << "API key " << key->record.name << " of app " << a.app << " (shown once):\n"
              << key->key << "\n";
  }
  return 0;
}

struct CreateClientArgs {
  std::string app = "default", name;
  std::vector<std::string> redirect_uris, post_logout_redirect_uris, grants, scopes,
      token_exchange_audiences;
  std::string id_token_alg, backchannel_logout_uri, jwks_file;
  std::string subject_type = "public";  // "public", "pairwise" (CLI checked it)
  bool is_public = false, first_party = false, resource_server = false, require_par = false,
       dpop_bound = false, backchannel_logout_session_required = false,
       require_signed_request_object = false, json = false;
};

// The JWK Set in --jwks-file as compact JSON text, as the JSON APIs store it ("" without the
// option); what its keys must be ClientService judges (field "jwks").
Result<std::string> JwksFromFile(const std::string& path) {
  if (path.empty()) return std::string();
  std::ifstream f(path, std::ios::binary);
  if (!f) return InvalidArgumentError("cannot read the JWK Set file " + path);
  std::stringstream text;
  text << f.rdbuf();
  // A directory opens but reads as nothing, as does an empty file: neither holds keys.
  if (f.bad() || text.str().empty()) {
    return InvalidArgumentError("cannot read the JWK Set file " + path + ", or it is empty");
  }
  auto set = ParseJsonObject(text.str());
  if (!set.ok()) {
    return InvalidArgumentError("the JWK Set file " + path +
                                " is not a JSON object ({\"keys\": [...]})");
  }
  return boost::json::serialize(*set);
}

boost::json::array JsonList(const std::vector<std::string>& values) {
  return boost::json::array(values.begin(), values.end());
}

boost::json::object ClientView(const services::RegisteredClient& created, const std::string& app,
                               const std::string& issuer) {
  const store::OAuthClient& cl = created.client;
  boost::json::object view{{"client_id", cl.client_id},
                           {"app", app},
                           {"name", cl.name},
                           {"public", cl.is_public},
                           {"first_party", cl.first_party},
                           {"redirect_uris", JsonList(cl.redirect_uris)},
                           {"post_logout_redirect_uris", JsonList(cl.post_logout_redirect_uris)},
                           {"grant_types", JsonList(cl.grant_types)},
                           {"scopes", JsonList(cl.scopes)},
                           {"id_token_signed_response_alg", cl.id_token_signed_response_alg},
                           {"resource_server", cl.resource_server},
                           {"require_pushed_authorization_requests",
                            cl.require_pushed_authorization_requests},
                           {"token_exchange_audiences", JsonList(cl.token_exchange_audiences)},
                           {"dpop_bound_access_tokens", cl.dpop_bound_access_tokens},
                           {"backchannel_logout_uri", cl.backchannel_logout_uri},
                           {"backchannel_logout_session_required",
                            cl.backchannel_logout_session_required},
                           {"jwks", api::ClientJwksView(cl.jwks)},
                           {"require_signed_request_object", cl.require_signed_request_object},
                           {"subject_type", cl.pairwise_subject ? "pairwise" : "public"},
                           {"token_endpoint", issuer + "/oauth/token"}};
  if (created.secret) view["client_secret"] = *created.secret;
  return view;
}

int CreateClient(const app::Config& c, const CreateClientArgs& a) {
  auto jwks = JwksFromFile(a.jwks_file);  // before opening anything: a wrong path fails fast
  if (!jwks.ok()) return Fail(jwks.status());
  auto core = app::CoreServices::Open(c);
  if (!core.ok()) return Fail(core.status());
  auto app = ResolveApp((*core)->apps(), a.app);
  if (!app.ok()) return Fail(app.status());
  services::ClientRegistration reg{
      .name = a.name,
      .is_public = a.is_public,
      .first_party = a.first_party,
      .redirect_uris = a.redirect_uris,
      .post_logout_redirect_uris = a.post_logout_redirect_uris,
      .grant_types = a.grants,
      .scopes = a.scopes,
      .id_token_signed_response_alg =
          a.id_token_alg.empty() ? std::nullopt : std::optional<std::string>(a.id_token_alg),
      .resource_server = a.resource_server,
      .require_pushed_authorization_requests = a.require_par,
      .token_exchange_audiences = a.token_exchange_audiences,
      .dpop_bound_access_tokens = a.dpop_bound,
      .backchannel_logout_uri = a.backchannel_logout_uri,
      .backchannel_logout_session_required = a.backchannel_logout_session_required,
      .jwks = std::move(*jwks),
      .require_signed_request_object = a.require_signed_request_object,
      .pairwise_subject = a.subject_type == "pairwise"};
  auto created = (*core)->clients().Register(*app, std::move(reg), services::CliActor());
  if (!created.ok()) return Fail(created.status());
  if (a.json) {
    PrintJson(ClientView(*created, a.app, (*core)->apps().IssuerFor(a.app)));
    return 0;
  }
  std::cout << "Created client " << created->client.client_id << " in app " << a.app << "\n";
  if (created->secret) {
    std::cout << "Client secret (shown once, store it now): " << *created->secret << "\n";
  }
  // Kept while off, but no logout token is sent until the setting is turned on.
  if (!created->client.backchannel_logout_uri.empty() && !app->settings.backchannel_logout) {
    std::cout << "Back-channel logout is off for app " << a.app
              << ": turn it on with `tessera admin update-app --app " << a.app
              << " --backchannel-logout true`.\n";
  }
  // Likewise its keys: no request object is taken until the setting is turned on.
  if (!created->client.jwks.empty() && !app->settings.signed_request_objects) {
    std::cout << "Signed request objects are off for app " << a.app
              << ": turn them on with `tessera admin update-app --app " << a.app
              << " --signed-request-objects true`.\n";
  }
  return 0;
}

struct RegistrationTokenArgs {
  std::string app = "default", name, id;
  std::optional<int64_t> expires_in_days;  // unset: until revoked
  bool json = false;
};

int CreateRegistrationToken(const app::Config& c, const RegistrationTokenArgs& a) {
  auto core = app::CoreServices::Open(c);
  if (!core.ok()) return Fail(core.status());
  auto app = ResolveApp((*core)->apps(), a.app);
  if (!app.ok()) return Fail(app.status());
  auto created = (*core)->initial_access_tokens().Create(*app, a.name, a.expires_in_days,
                                                         services::CliActor());
  if (!created.ok()) return Fail(created.status());
  const std::string endpoint = (*core)->apps().IssuerFor(a.app) + "/oauth/register";
  if (a.json) {
    boost::json::object view = api::InitialAccessTokenView(created->record);
    view["token"] = created->token;
    view["registration_endpoint"] = endpoint;
    PrintJson(view);
    return 0;
  }
  std::cout << "Registration token " << created->record.name << " of app " << a.app
            << " (shown once):\n"
            << created->token << "\n"
            << "Software sends it as Authorization: Bearer to " << endpoint << "\n";
  // Made while off, it is refused at the endpoint until the setting is turned on.
  if (!app->settings.dynamic_registration) {
    std::cout << "Dynamic client registration is off for app " << a.app
              << ": turn it on with `tessera admin update-app --app " << a.app
              << " --dynamic-registration true`.\n";
  }
  return 0;
}

int ListRegistrationTokens(const app::Config& c, const RegistrationTokenArgs& a) {
  auto core = app::CoreServices::Open(c);
  if (!core.ok()) return Fail(core.status());
  auto app = ResolveApp((*core)->apps(), a.app);
  if (!app.ok()) return Fail(app.status());
  auto tokens = (*core)->initial_access_tokens().List(*app);
  if (!tokens.ok()) return Fail(tokens.status());
  if (a.json) {
    boost::json::array out;
    for (const auto& t : *tokens) out.push_back(api::InitialAccessTokenView(t));
    PrintJson(boost::json::object{{"registration_tokens", std::move(out)}});
    return 0;
  }
  if (tokens->empty()) std::cout << "App " << a.app << " has no registration tokens.\n";
  const UnixMillis now = (*core)->clock().NowMillis();
  for (const auto& t : *tokens) {
    std::cout << t.id << "  " << t.prefix << "…  " << t.name << "  expires "
              << (t.expires_at ? api::Rfc3339(*t.expires_at) : "never")
              << (t.expires_at && *t.expires_at <= now ? " (expired)" : "") << "  last used "
              << (t.last_used_at ? api::Rfc3339(*t.last_used_at) : "never") << "\n";
  }
  return 0;
}

int RevokeRegistrationToken(const app::Config& c, const RegistrationTokenArgs& a) {
  auto core = app::CoreServices::Open(c);
  if (!core.ok()) return Fail(core.status());
  auto app = ResolveApp((*core)->apps(), a.app);
  if (!app.ok()) return Fail(app.status());
  Status s = (*core)->initial_access_tokens().Revoke(*app, a.id, services::CliActor());
  if (!s.ok()) return Fail(s);
  if (a.json) {
    PrintJson(boost::json::object{{"id", a.id}, {"revoked", true}});
    return 0;
  }
  std::cout << "Revoked registration token " << a.id << " of app " << a.app
            << ": it registers no more clients.\n";
  return 0;
}

void AddCreateApiKey(CLI::App& admin, app::Config& config, CommandList& commands) {
  auto args = std::make_shared<CreateApiKeyArgs>();
  CLI::App* cmd = admin.add_subcommand(
      "create-api-key", "Create an API key for an app's backend (the server-to-server API)");
  AddDatabaseOptions(cmd, config);
  cmd->add_option("--app", args->app, "App slug")->capture_default_str();
  cmd->add_option("--name", args->name, "What the key is for")->required();
  cmd->add_flag("--json", args->json, "Print the key as JSON");
  commands.push_back({cmd, [args](const app::Config& c) { return CreateApiKey(c, *args); }});
}

void AddCreateClient(CLI::App& admin, app::Config& config, CommandList& commands) {
  auto args = std::make_shared<CreateClientArgs>();
  CLI::App* cmd = admin.add_subcommand("create-client", "Register an OAuth 2.0 client of an app");
  AddDatabaseOptions(cmd, config);
  cmd->add_option("--app", args->app, "App slug")->capture_default_str();
  cmd->add_option("--name", args->name, "Display name")->required();
  AddListOption(cmd, "--redirect-uri", args->redirect_uris,
                "Allowed redirect URI (repeatable, or space-separated)");
  AddListOption(cmd, "--post-logout-redirect-uri", args->post_logout_redirect_uris,
                "Allowed post-logout redirect URI (repeatable, or space-separated)");
  AddListOption(cmd, "--grant", args->grants,
                "authorization_code, refresh_token, client_credentials, "
                "urn:ietf:params:oauth:grant-type:device_code, "
                "urn:ietf:params:oauth:grant-type:token-exchange (repeatable, or space-separated)");
  AddListOption(cmd, "--scope", args->scopes,
                "Scope it may request (repeatable, or space-separated: \"openid profile\")");
  cmd->add_flag("--public", args->is_public, "A public client (no secret; PKCE)");
  cmd->add_flag("--first-party", args->first_party, "Skip the consent screen");
  cmd->add_option("--id-token-alg", args->id_token_alg,
                  "ID token signing algorithm: RS256 (default), ES256, or EdDSA when the server "
                  "signs with it");
  cmd->add_flag("--resource-server", args->resource_server,
                "A resource server: may introspect every access token of the app");
  cmd->add_flag("--require-par", args->require_par,
                "Its authorization requests must be pushed to {issuer}/oauth/par first "
                "(RFC 9126); plain /authorize requests are refused");
  AddListOption(cmd, "--token-exchange-audience", args->token_exchange_audiences,
                "An audience it may exchange a user's access token for (RFC 8693), e.g. "
                "https://api.example.com (repeatable, or space-separated)");
  cmd->add_flag("--dpop-bound", args->dpop_bound,
                "It must send a DPoP proof (RFC 9449) with every token request: its tokens are "
                "always bound to a key it holds");
  cmd->add_option("--backchannel-logout-uri", args->backchannel_logout_uri,
                  "Where its server receives OIDC Back-Channel Logout 1.0 logout tokens (https; "
                  "http only for a confidential client); needs the app's backchannel_logout "
                  "setting");
  cmd->add_flag("--backchannel-logout-session-required", args->backchannel_logout_session_required,
                "It needs the session ID (sid) in its logout tokens (Tessera always sends it)");
  cmd->add_option("--jwks-file", args->jwks_file,
                  "A file with its public keys as a JWK Set ({\"keys\": [...]}; public keys "
                  "only): they verify its RFC 9101 signed request objects");
  cmd->add_flag("--require-signed-request-object", args->require_signed_request_object,
                "Its authorization requests must be signed request objects (RFC 9101) or pushed "
                "(RFC 9126); needs --jwks-file");
  cmd->add_option("--subject-type", args->subject_type,
                  "The sub its users get: public (their id) or pairwise (OIDC Core §8.1: derived "
                  "from the user and the host of its redirect URIs, which must be one); pairwise "
                  "needs the app's pairwise_subjects setting")
      ->capture_default_str()
      ->check(CLI::IsMember({"public", "pairwise"}));
  cmd->add_flag("--json", args->json, "Print the client (and secret) as JSON");
  commands.push_back({cmd, [args](const app::Config& c) { return CreateClient(c, *args); }});
}

void AddRegistrationTokenCommands(CLI::App& admin, app::Config& config, CommandList& commands) {
  auto create_args = std::make_shared<RegistrationTokenArgs>();
  CLI::App* create = admin.add_subcommand(
      "create-registration-token",
      "Create an initial access token with which software registers its own OAuth clients at "
      "{issuer}/oauth/register (RFC 7591; shown once)");
  AddDatabaseOptions(create, config);
  create->add_option("--app", create_args->app, "App slug")->capture_default_str();
  create->add_option("--name", create_args->name, "The software it is given to")->required();
  create->add_option("--expires-in-days", create_args->expires_in_days,
                     "Days until it expires (1-3650; default: until revoked)");
  create->add_flag("--json", create_args->json, "Print the token as JSON");
  commands.push_back({create, [create_args](const app::Config& c) {
                        return CreateRegistrationToken(c, *create_args);
                      }});

  auto list_args = std::make_shared<RegistrationTokenArgs>();
  CLI::App* list = admin.add_subcommand(
      "list-registration-tokens",
      "List an app's registration tokens not revoked, expired ones too (never the token)");
  AddDatabaseOptions(list, config);
  list->add_option("--app", list_args->app, "App slug")->capture_default_str();
  list->add_flag("--json", list_args->json, "Print the tokens as JSON");
  commands.push_back(
      {list, [list_args](const app::Config& c) { return ListRegistrationTokens(c, *list_args); }});

  auto revoke_args = std::make_shared<RegistrationTokenArgs>();
  CLI::App* revoke = admin.add_subcommand(
      "revoke-registration-token",
      "Revoke a registration token: it registers no more clients (those it registered stay)");
  AddDatabaseOptions(revoke, config);
  revoke->add_option("--app", revoke_args->app, "App slug")->capture_default_str();
  revoke->add_option("--id", revoke_args->id, "The token's id (from list-registration-tokens)")
      ->required();
  revoke->add_flag("--json", revoke_args->json, "Print the outcome as JSON");
  commands.push_back({revoke, [revoke_args](const app::Config& c) {
                        return RevokeRegistrationToken(c, *revoke_args);
                      }});
}

}  // namespace

void AddAdminCredentialCommands(CLI::App& admin, app::Config& config, CommandList& commands) {
  AddCreateApiKey(admin, config, commands);
  AddCreateClient(admin, config, commands);
  AddRegistrationTokenCommands(admin, config, commands);
}

}  // namespace tessera::cli
