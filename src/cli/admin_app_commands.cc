// `tessera admin create-app` and `admin update-app`: apps (tenants) and their settings,
// through AppService as the consoles do. Open only the store (no keys, no server).
#include <boost/json.hpp>
#include <iostream>
#include <memory>
#include <optional>

#include "api/views.h"
#include "app/core_services.h"
#include "cli/commands.h"

namespace tessera::cli {
namespace {

struct CreateAppArgs {
  std::string slug, name;
  bool json = false;
};

int CreateApp(const app::Config& c, const CreateAppArgs& a) {
  auto core = app::CoreServices::Open(c);
  if (!core.ok()) return Fail(core.status());
  services::AppService& apps = (*core)->apps();
  auto created = apps.Create(a.slug, a.name);
  if (!created.ok()) return Fail(created.status());
  std::string issuer = apps.IssuerFor(created->slug);
  if (a.json) {
    PrintJson(boost::json::object{{"id", created->id},
                                  {"slug", created->slug},
                                  {"name", created->name},
                                  {"issuer", issuer},
                                  {"created_at", api::Rfc3339(created->created_at)}});
  } else {
    std::cout << "Created app " << created->slug << " with issuer " << issuer << "\n";
  }
  return 0;
}

struct UpdateAppArgs {
  std::string app = "default";
  std::string allow_signup, require_verified_email, email_code_login, first_user_admin, device_flow,
      par, token_exchange, dpop, dpop_nonce, dynamic_registration, backchannel_logout,
      signed_request_objects, pairwise_subjects;  // "", "true", "false"
  std::optional<std::string> mail_from;
  std::optional<std::string> default_locale;  // "" = English
  std::string mfa;                // "", "off", "optional", "required"
  std::string mfa_totp, mfa_passkeys;  // "", "true", "false"
  std::vector<std::string> redirect_uris;
  bool clear_redirect_uris = false;
  std::vector<std::string> passkey_origins;
  bool clear_passkey_origins = false;
  bool json = false;
};

// The flags given, over the app's current settings; AppService::Update checks the result.
store::AppSettings ChangedSettings(const store::App& app, const UpdateAppArgs& a) {
  store::AppSettings s = app.settings;
  auto flag = [](const std::string& v, bool& out) {
    if (!v.empty()) out = v == "true";
  };
  flag(a.allow_signup, s.allow_signup);
  flag(a.require_verified_email, s.require_verified_email);
  flag(a.email_code_login, s.email_code_login);
  flag(a.first_user_admin, s.first_user_admin);
  if (a.mail_from) s.mail_from = *a.mail_from;
  if (a.default_locale) s.default_locale = *a.default_locale;
  if (!a.mfa.empty()) s.mfa = store::ParseMfaPolicy(a.mfa).value_or(s.mfa);  // CLI checked it
  flag(a.mfa_totp, s.mfa_totp);
  flag(a.mfa_passkeys, s.mfa_passkeys);
  if (a.clear_redirect_uris) s.redirect_uris.clear();
  s.redirect_uris.insert(s.redirect_uris.end(), a.redirect_uris.begin(), a.redirect_uris.end());
  if (a.clear_passkey_origins) s.passkey_origins.clear();
  s.passkey_origins.insert(s.passkey_origins.end(), a.passkey_origins.begin(),
                           a.passkey_origins.end());
  flag(a.device_flow, s.device_flow);
  flag(a.par, s.par);
  flag(a.token_exchange, s.token_exchange);
  flag(a.dpop, s.dpop);
  flag(a.dpop_nonce, s.dpop_nonce);
  flag(a.dynamic_registration, s.dynamic_registration);
  flag(a.backchannel_logout, s.backchannel_logout);
  flag(a.signed_request_objects, s.signed_request_objects);
  flag(a.pairwise_subjects, s.pairwise_subjects);
  return s;
}

int UpdateApp(const app::Config& c, const UpdateAppArgs& a) {
  auto core = app::CoreServices::Open(c);
  if (!core.ok()) return Fail(core.status());
  auto app = ResolveApp((*core)->apps(), a.app);
  if (!app.ok()) return Fail(app.status());
  auto updated = (*core)->apps().UpdateSettings(a.app, ChangedSettings(*app, a));
  if (!updated.ok()) return Fail(updated.status());
  // As stored (settings_json).
  boost::json::value settings = boost::json::parse(store::SerializeAppSettings(updated->settings));
  if (a.json) {
    PrintJson(boost::json::object{{"slug", updated->slug}, {"settings", settings}});
  } else {
    std::cout << "Updated app " << updated->slug << ": " << boost::json::serialize(settings)
              << "\n";
  }
  return 0;
}

void AddCreateApp(CLI::App& admin, app::Config& config, CommandList& commands) {
  auto args = std::make_shared<CreateAppArgs>();
  CLI::App* cmd = admin.add_subcommand("create-app", "Create an app (a tenant with its own users)");
  AddDatabaseOptions(cmd, config);
  cmd->add_option("--slug", args->slug, "URL name: a-z, 0-9, '-'")->required();
  cmd->add_option("--name", args->name, "Display name")->required();
  cmd->add_flag("--json", args->json, "Print the app as JSON");
  commands.push_back({cmd, [args](const app::Config& c) { return CreateApp(c, *args); }});
}

void AddUpdateApp(CLI::App& admin, app::Config& config, CommandList& commands) {
  auto args = std::make_shared<UpdateAppArgs>();
  CLI::App* cmd = admin.add_subcommand("update-app", "Change an app's settings");
  AddDatabaseOptions(cmd, config);
  auto bool_option = [&](const char* name, std::string& out, const char* help) {
    cmd->add_option(name, out, help)->check(CLI::IsMember({"true", "false"}));
  };
  cmd->add_option("--app", args->app, "App slug")->capture_default_str();
  bool_option("--allow-signup", args->allow_signup, "Anyone may sign up (true|false)");
  bool_option("--require-verified-email", args->require_verified_email,
              "Password sign-in needs a verified email (true|false)");
  bool_option("--email-code-login", args->email_code_login,
              "Allow sign-in with a code sent by email (true|false)");
  bool_option("--first-user-admin", args->first_user_admin,
              "The app's first account gets the role admin (true|false)");
  cmd->add_option("--mail-from", args->mail_from, "Sender of the app's mail");
  cmd->add_option("--default-locale", args->default_locale,
                  "Language of the hosted pages and mails when neither the request nor the user "
                  "names a supported one: en, de, es, ar (\"\" = English)");
  cmd->add_option("--mfa", args->mfa,
                  "Second factors: off (not offered), optional, required (everyone enrols)")
      ->check(CLI::IsMember({"off", "optional", "required"}));
  bool_option("--mfa-totp", args->mfa_totp, "Users may add an authenticator app (true|false)");
  bool_option("--mfa-passkeys", args->mfa_passkeys, "Users may add passkeys (true|false)");
  AddListOption(cmd, "--redirect-uri", args->redirect_uris,
                "Add an allowed target of API magic links (repeatable, or space-separated)");
  cmd->add_flag("--clear-redirect-uris", args->clear_redirect_uris,
                "Remove the allowed magic-link targets first");
  AddListOption(cmd, "--passkey-origin", args->passkey_origins,
                "Add an origin of the app's own front end or Android app whose passkey "
                "ceremonies count (https://host[:port] or android:apk-key-hash:…; repeatable)");
  cmd->add_flag("--clear-passkey-origins", args->clear_passkey_origins,
                "Remove the app's extra passkey origins first");
  bool_option("--device-flow", args->device_flow,
              "Allow the RFC 8628 device authorization grant (TVs, command-line tools) "
              "(true|false)");
  bool_option("--par", args->par,
              "Accept RFC 9126 pushed authorization requests at {issuer}/oauth/par (true|false)");
  bool_option("--token-exchange", args->token_exchange,
              "Allow the RFC 8693 token exchange grant: a service trades a user's access "
              "token for one meant for another service it calls (true|false)");
  bool_option("--dpop", args->dpop,
              "Accept RFC 9449 DPoP proofs: clients may bind their tokens to a key they hold "
              "(true|false)");
  bool_option("--dpop-nonce", args->dpop_nonce,
              "DPoP proofs must carry the latest nonce the server sent (RFC 9449 §8/§9; only "
              "matters while --dpop is on) (true|false)");
  bool_option("--dynamic-registration", args->dynamic_registration,
              "Accept RFC 7591 dynamic client registration at {issuer}/oauth/register from "
              "holders of an initial access token (true|false)");
  bool_option("--backchannel-logout", args->backchannel_logout,
              "Send OIDC Back-Channel Logout 1.0 logout tokens to clients with a "
              "backchannel_logout_uri when a user's session with them ends (true|false)");
  bool_option("--signed-request-objects", args->signed_request_objects,
              "Accept RFC 9101 signed request objects (JAR): an authorization request sent as "
              "a JWT signed with the client's registered keys (true|false)");
  bool_option("--pairwise-subjects", args->pairwise_subjects,
              "Clients may be registered with OIDC Core §8.1 pairwise subject identifiers: each "
              "sector (the host of their redirect URIs) sees its own sub for a user; clients "
              "that have them keep them when turned off (true|false)");
  cmd->add_flag("--json", args->json, "Print the settings as JSON");
  commands.push_back({cmd, [args](const app::Config& c) { return UpdateApp(c, *args); }});
}

}  // namespace

void AddAdminAppCommands(CLI::App& admin, app::Config& config, CommandList& commands) {
  AddCreateApp(admin, config, commands);
  AddUpdateApp(admin, config, commands);
}

}  // namespace tessera::cli
