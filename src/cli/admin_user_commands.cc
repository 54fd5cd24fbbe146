// `tessera admin create-user`: a user of an app, or with --admin an operator (an admin of
// the console app, who signs in to /admin). Opens the store, the keys and the account
// services; no server.
#include <algorithm>
#include <iostream>
#include <memory>

#include "api/views.h"
#include "app/core_services.h"
#include "cli/commands.h"

namespace tessera::cli {
namespace {

struct CreateUserArgs {
  std::string app;  // "" = "default", or "console" with --admin
  std::string email, username, password;
  bool password_stdin = false, admin = false, json = false;
};

services::SignupInput SignupInputOf(const CreateUserArgs& a) {
  services::SignupInput in;
  in.by_operator = true;
  in.email = a.email;
  in.password = a.password;
  if (!a.username.empty()) in.username = a.username;
  in.email_verified = true;  // the operator vouches for the address
  if (a.admin) in.roles = {std::string(services::kOperatorRole)};
  return in;
}

// A user is created as the consoles and the server API create one (UserManagementService).
// An operator is the one account that service refuses to make, on purpose: only the command
// line may, so it goes to the account rules that service itself calls.
Result<store::User> Create(app::CoreServices& core, const store::App& app,
                           services::SignupInput in) {
  bool is_operator =
      app.slug == services::kConsoleAppSlug &&
      std::find(in.roles.begin(), in.roles.end(), services::kOperatorRole) != in.roles.end();
  if (is_operator) return core.accounts().Signup(app, std::move(in));
  return core.user_management().Create(app, std::move(in), services::CliActor());
}

Result<std::unique_ptr<app::CoreServices>> OpenAccountServices(const app::Config& c) {
  TESSERA_ASSIGN_OR_RETURN(auto core, app::CoreServices::Open(c));
  core->OpenMailQueue(nullptr);  // a user created here is verified: no mail is queued
  TESSERA_RETURN_IF_ERROR(core->BuildAccountServices());
  return core;
}

int CreateUser(const app::Config& c, CreateUserArgs a) {
  if (a.password_stdin) std::getline(std::cin, a.password);
  if (a.password.empty()) return Fail(InvalidArgumentError("give --password or --password-stdin"));
  if (a.app.empty()) a.app = a.admin ? "console" : "default";
  auto core = OpenAccountServices(c);
  if (!core.ok()) return Fail(core.status());
  auto app = ResolveApp((*core)->apps(), a.app);
  if (!app.ok()) return Fail(app.status());
  auto user = Create(**core, *app, SignupInputOf(a));
  if (!user.ok()) return Fail(user.status());
  if (a.json) {
    PrintJson(api::UserView(*user, *app));
  } else {
    std::cout << "Created " << (a.admin ? "admin " : "user ") << user->email << " (" << user->id
              << ") in app " << a.app << "\n";
  }
  return 0;
}

}  // namespace

void AddAdminUserCommands(CLI::App& admin, app::Config& config, CommandList& commands) {
  auto args = std::make_shared<CreateUserArgs>();
  CLI::App* cmd = admin.add_subcommand("create-user", "Create a user (an admin with --admin)");
  AddDatabaseOptions(cmd, config);
  cmd->add_option("--app", args->app, "App slug (default: default; console with --admin)");
  cmd->add_option("--email", args->email, "Email address")->required();
  cmd->add_option("--username", args->username, "Optional username");
  cmd->add_option("--password", args->password,
                  "Password (visible to `ps`; prefer --password-stdin)");
  cmd->add_flag("--password-stdin", args->password_stdin, "Read the password from standard input");
  cmd->add_flag("--admin", args->admin,
                "Give the user the admin role (in the console app: an operator)");
  cmd->add_flag("--json", args->json, "Print the user as JSON");
  commands.push_back({cmd, [args](const app::Config& c) { return CreateUser(c, *args); }});
}

}  // namespace tessera::cli
