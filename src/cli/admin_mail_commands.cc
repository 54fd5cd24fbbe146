// `tessera admin send-test-mail`: queues a `test` mail; the running server's worker sends it
// within seconds (with its own SMTP settings and --mail-from), so this checks the whole path
// an operator configured. Opens the store and the mail queue only: no mail worker here.
#include <boost/json.hpp>
#include <iostream>
#include <memory>

#include "app/core_services.h"
#include "cli/commands.h"
#include "email_flows/mail_flow.h"
#include "email_flows/mail_templates.h"

namespace tessera::cli {
namespace {

struct SendTestMailArgs {
  std::string app = "default", to;
  bool json = false;
};

int SendTestMail(const app::Config& c, const SendTestMailArgs& a) {
  auto core = app::CoreServices::Open(c);
  if (!core.ok()) return Fail(core.status());
  (*core)->OpenMailQueue(nullptr);  // the running server's worker polls the queue
  auto app = ResolveApp((*core)->apps(), a.app);
  if (!app.ok()) return Fail(app.status());
  kainjow::mustache::data vars;
  vars.set("app_name", app->name);
  vars.set("link", (*core)->apps().IssuerFor(app->slug) + "/login");
  // In the app's default language (English unless the app has one).
  auto content = services::RenderMail("test", vars, services::MailTexts(*app, nullptr));
  if (!content.ok()) return Fail(content.status());
  Status queued = (*core)->mailer().Send(*app, "test", a.to, *content);
  if (!queued.ok()) return Fail(queued);
  if (a.json) {
    PrintJson(boost::json::object{
        {"queued", true}, {"app", a.app}, {"to", a.to}, {"subject", content->subject}});
  } else {
    std::cout << "Queued a test mail to " << a.to << " (\"" << content->subject
              << "\"); the running server sends it within seconds.\n";
  }
  return 0;
}

}  // namespace

void AddAdminMailCommands(CLI::App& admin, app::Config& config, CommandList& commands) {
  auto args = std::make_shared<SendTestMailArgs>();
  CLI::App* cmd = admin.add_subcommand(
      "send-test-mail",
      "Queue a test mail (the running server sends it: checks the SMTP settings)");
  AddDatabaseOptions(cmd, config);
  cmd->add_option("--app", args->app, "App slug")->capture_default_str();
  cmd->add_option("--to", args->to, "Recipient address")->required();
  cmd->add_flag("--json", args->json, "Print the result as JSON");
  commands.push_back({cmd, [args](const app::Config& c) { return SendTestMail(c, *args); }});
}

}  // namespace tessera::cli
