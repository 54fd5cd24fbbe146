// `tessera admin providers list|add|update|delete`: an app's upstream sign-in providers
// (GitHub, Google, any OpenID provider), made by the same service as in the console. The
// client secret is read from standard input (--client-secret-stdin) or the
// TESSERA_PROVIDER_CLIENT_SECRET environment variable — never from an argument, which any
// user of the machine can read in the process list — and is never printed.
#include <boost/json.hpp>
#include <cstdlib>
#include <iostream>
#include <memory>

#include "api/console_providers_api.h"
#include "app/core_services.h"
#include "cli/commands.h"
#include "federation/identity_provider_service.h"

namespace tessera::cli {
namespace {

struct ProviderArgs {
  std::string app = "default", slug, kind, display_name, client_id, issuer;
  std::string authorization_endpoint, token_endpoint, userinfo_endpoint, jwks_uri, scopes;
  std::string claim_mapping;  // JSON object
  std::string enabled, allow_signup, trust_email;  // "true"/"false"; "" = unchanged
  bool secret_stdin = false, json = false;
};

// The provider service over the configured store and master key.
struct ProviderCommand {
  std::unique_ptr<app::CoreServices> core;
  std::unique_ptr<services::IdentityProviderService> providers;
  store::App app;
};

Result<ProviderCommand> OpenProviders(const app::Config& c, const std::string& slug) {
  ProviderCommand cmd;
  TESSERA_ASSIGN_OR_RETURN(cmd.core, app::CoreServices::Open(c));
  TESSERA_RETURN_IF_ERROR(cmd.core->OpenKeys());
  TESSERA_ASSIGN_OR_RETURN(cmd.app, ResolveApp(cmd.core->apps(), slug));
  cmd.providers = std::make_unique<services::IdentityProviderService>(
      cmd.core->store(), cmd.core->keys().master_key(), cmd.core->clock(), &cmd.core->audit());
  return cmd;
}

Result<std::optional<bool>> Flag(const std::string& name, const std::string& value) {
  if (value.empty()) return std::optional<bool>();
  if (value == "true") return std::optional<bool>(true);
  if (value == "false") return std::optional<bool>(false);
  return InvalidArgumentError(name + " must be true or false");
}

Result<services::ProviderInput> InputOf(const ProviderArgs& a) {
  services::ProviderInput in;
  const auto text = [](const std::string& v) {
    return v.empty() ? std::nullopt : std::optional<std::string>(v);
  };
  in.slug = text(a.slug);
  in.kind = text(a.kind);
  in.display_name = text(a.display_name);
  in.client_id = text(a.client_id);
  in.issuer = text(a.issuer);
  in.authorization_endpoint = text(a.authorization_endpoint);
  in.token_endpoint = text(a.token_endpoint);
  in.userinfo_endpoint = text(a.userinfo_endpoint);
  in.jwks_uri = text(a.jwks_uri);
  in.scopes = text(a.scopes);
  TESSERA_ASSIGN_OR_RETURN(in.enabled, Flag("--enabled", a.enabled));
  TESSERA_ASSIGN_OR_RETURN(in.allow_signup, Flag("--allow-signup", a.allow_signup));
  TESSERA_ASSIGN_OR_RETURN(in.trust_email, Flag("--trust-email", a.trust_email));
  if (!a.claim_mapping.empty()) {
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(a.claim_mapping, ec);
    if (ec || !v.is_object()) return InvalidArgumentError("--claim-mapping must be a JSON object");
    in.claim_mapping = v.as_object();
  }
  std::string secret;
  if (a.secret_stdin) {
    std::getline(std::cin, secret);
  } else if (const char* env = std::getenv("TESSERA_PROVIDER_CLIENT_SECRET")) {
    secret = env;
  }
  if (!secret.empty()) in.client_secret = secret;
  return in;
}

void Print(const ProviderCommand& cmd, const store::IdentityProvider& p, bool json) {
  boost::json::object view = api::IdentityProviderView(p, cmd.core->apps().IssuerFor(cmd.app.slug));
  if (json) {
    PrintJson(view);
    return;
  }
  std::cout << p.slug << "  " << p.display_name << " (" << ToText(p.kind) << ")"
            << (p.enabled ? "" : "  [off]") << "\n  callback URL: "
            << view.at("callback_url").as_string().c_str() << "\n";
}

int List(const app::Config& c, const ProviderArgs& a) {
  auto cmd = OpenProviders(c, a.app);
  if (!cmd.ok()) return Fail(cmd.status());
  auto list = cmd->providers->List(cmd->app);
  if (!list.ok()) return Fail(list.status());
  if (a.json) {
    boost::json::array out;
    for (const auto& p : *list) {
      out.push_back(api::IdentityProviderView(p, cmd->core->apps().IssuerFor(cmd->app.slug)));
    }
    PrintJson(out);
    return 0;
  }
  if (list->empty()) std::cout << "App " << a.app << " has no sign-in providers.\n";
  for (const auto& p : *list) Print(*cmd, p, false);
  return 0;
}

int Add(const app::Config& c, const ProviderArgs& a) {
  auto cmd = OpenProviders(c, a.app);
  if (!cmd.ok()) return Fail(cmd.status());
  auto in = InputOf(a);
  if (!in.ok()) return Fail(in.status());
  auto added = cmd->providers->Add(cmd->app, *in, services::CliActor());
  if (!added.ok()) return Fail(added.status());
  Print(*cmd, *added, a.json);
  return 0;
}

int Update(const app::Config& c, const ProviderArgs& a, const std::string& which) {
  auto cmd = OpenProviders(c, a.app);
  if (!cmd.ok()) return Fail(cmd.status());
  auto p = cmd->providers->GetBySlug(cmd->app, which);
  if (!p.ok()) return Fail(p.status());
  auto in = InputOf(a);
  if (!in.ok()) return Fail(in.status());
  auto updated = cmd->providers->Update(cmd->app, p->id, *in, services::CliActor());
  if (!updated.ok()) return Fail(updated.status());
  Print(*cmd, *updated, a.json);
  return 0;
}

int Delete(const app::Config& c, const ProviderArgs& a, const std::string& which) {
  auto cmd = OpenProviders(c, a.app);
  if (!cmd.ok()) return Fail(cmd.status());
  auto p = cmd->providers->GetBySlug(cmd->app, which);
  if (!p.ok()) return Fail(p.status());
  Status s = cmd->providers->Delete(cmd->app, p->id, services::CliActor());
  if (!s.ok()) return Fail(s);
  std::cout << "Deleted provider " << which << " of app " << a.app
            << " and every identity linked through it.\n";
  return 0;
}

void AddProviderOptions(CLI::App* cmd, ProviderArgs& a, bool adding) {
  if (adding) {
    cmd->add_option("--kind", a.kind, "github, google or oidc")->required();
    cmd->add_option("--slug", a.slug, "Its name in URLs (default: github, google)");
  } else {
    cmd->add_option("--new-slug", a.slug, "Rename it (its callback URL changes too)");
  }
  cmd->add_option("--display-name", a.display_name, "On the button: Continue with …");
  cmd->add_option("--client-id", a.client_id, "The client id the provider gave you");
  cmd->add_flag("--client-secret-stdin", a.secret_stdin,
                "Read the client secret from standard input (or set "
                "TESSERA_PROVIDER_CLIENT_SECRET)");
  cmd->add_option("--issuer", a.issuer,
                  "OpenID: the issuer URL; GitHub Enterprise: its web base URL");
  cmd->add_option("--authorization-endpoint", a.authorization_endpoint, "Override");
  cmd->add_option("--token-endpoint", a.token_endpoint, "Override");
  cmd->add_option("--userinfo-endpoint", a.userinfo_endpoint,
                  "Override (GitHub: the API base URL)");
  cmd->add_option("--jwks-uri", a.jwks_uri, "Override");
  cmd->add_option("--scopes", a.scopes, "Space-separated scopes to ask for");
  cmd->add_option("--claim-mapping", a.claim_mapping,
                  "OpenID: JSON object, e.g. '{\"email\":\"mail\",\"username\":\"upn\"}'");
  cmd->add_option("--enabled", a.enabled, "true or false");
  cmd->add_option("--allow-signup", a.allow_signup, "true or false: create users on first sign-in");
  cmd->add_option("--trust-email", a.trust_email,
                  "true or false: a provider-verified address counts as verified");
  cmd->add_flag("--json", a.json, "Print the provider as JSON");
}

}  // namespace

void AddAdminProviderCommands(CLI::App& admin, app::Config& config, CommandList& commands) {
  CLI::App* group =
      admin.add_subcommand("providers", "An app's sign-in providers (GitHub, Google, OpenID)");
  group->require_subcommand(1);

  auto list_args = std::make_shared<ProviderArgs>();
  CLI::App* list = group->add_subcommand("list", "List an app's sign-in providers");
  AddDatabaseOptions(list, config);
  list->add_option("--app", list_args->app, "App slug")->capture_default_str();
  list->add_flag("--json", list_args->json, "Print them as JSON");
  commands.push_back({list, [list_args](const app::Config& c) { return List(c, *list_args); }});

  auto add_args = std::make_shared<ProviderArgs>();
  CLI::App* add = group->add_subcommand("add", "Add a sign-in provider to an app");
  AddDatabaseOptions(add, config);
  add->add_option("--app", add_args->app, "App slug")->capture_default_str();
  AddProviderOptions(add, *add_args, true);
  commands.push_back({add, [add_args](const app::Config& c) { return Add(c, *add_args); }});

  auto update_args = std::make_shared<ProviderArgs>();
  auto update_which = std::make_shared<std::string>();
  CLI::App* update = group->add_subcommand("update", "Change or turn on/off a sign-in provider");
  AddDatabaseOptions(update, config);
  update->add_option("slug", *update_which, "The provider's slug")->required();
  update->add_option("--app", update_args->app, "App slug")->capture_default_str();
  AddProviderOptions(update, *update_args, false);
  commands.push_back({update, [update_args, update_which](const app::Config& c) {
                        return Update(c, *update_args, *update_which);
                      }});

  auto delete_args = std::make_shared<ProviderArgs>();
  auto delete_which = std::make_shared<std::string>();
  CLI::App* del = group->add_subcommand("delete", "Delete a sign-in provider");
  AddDatabaseOptions(del, config);
  del->add_option("slug", *delete_which, "The provider's slug")->required();
  del->add_option("--app", delete_args->app, "App slug")->capture_default_str();
  commands.push_back({del, [delete_args, delete_which](const app::Config& c) {
                        return Delete(c, *delete_args, *delete_which);
                      }});
}

}  // namespace tessera::cli
