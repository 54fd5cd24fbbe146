// `tessera admin list-|create-|update-|delete-webhook`, `rotate-webhook-secret`, `test-webhook`,
// `list-webhook-deliveries` and `redeliver-webhook`: an app's signed webhook endpoints
// (docs/webhooks.md), made by the same service as in the console. A signing secret is printed
// once, when it is made (create, rotate): only its sealed form is stored. These commands open
// the store and the master key (which seals the secrets), never a server: a running server's
// delivery worker sends what they queue (a test event, a redelivery) within seconds.
#include <algorithm>
#include <boost/json.hpp>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/views.h"
#include "api/webhook_views.h"
#include "app/core_services.h"
#include "base/enum_text.h"
#include "cli/commands.h"
#include "webhooks/webhook_service.h"

namespace tessera::cli {
namespace {

struct WebhookArgs {
  std::string app = "default", id, delivery_id;
  std::optional<std::string> url, description, events;  // unset: unchanged (update)
  bool disabled = false;                                // create: made off
  bool enable = false, disable = false;                 // update
  int limit = 50;
  bool json = false;
};

// The store, the master key (which seals the secrets: CoreServices::webhooks() needs it) and
// the app.
struct WebhookCommand {
  std::unique_ptr<app::CoreServices> core;
  store::App app;
  services::WebhookService& webhooks() { return core->webhooks(); }
  UnixMillis now() const { return core->clock().NowMillis(); }
};

Result<WebhookCommand> OpenWebhooks(const app::Config& c, const std::string& slug) {
  WebhookCommand cmd;
  TESSERA_ASSIGN_OR_RETURN(cmd.core, app::CoreServices::Open(c));
  TESSERA_ASSIGN_OR_RETURN(cmd.app, ResolveApp(cmd.core->apps(), slug));
  TESSERA_RETURN_IF_ERROR(cmd.core->OpenKeys());
  return cmd;
}

// "user.created,user.deleted" (commas and/or spaces) → its names; the service judges them.
std::vector<std::string> EventList(const std::string& text) {
  std::vector<std::string> out;
  std::string item;
  for (char ch : text + ",") {
    if (ch == ',' || ch == ' ' || ch == '\t') {
      if (!item.empty()) out.push_back(std::move(item));
      item.clear();
    } else {
      item.push_back(ch);
    }
  }
  return out;
}

std::string Joined(const std::vector<std::string>& values, const char* sep) {
  std::string out;
  for (const auto& v : values) {
    if (!out.empty()) out += sep;
    out += v;
  }
  return out;
}

services::WebhookInput InputOf(const WebhookArgs& a, bool adding) {
  services::WebhookInput in;
  in.url = a.url;
  in.description = a.description;
  if (a.events) in.event_types = EventList(*a.events);
  if (adding) {
    in.enabled = !a.disabled;
  } else if (a.enable || a.disable) {
    in.enabled = a.enable;
  }
  return in;
}

// Columns padded to their widest cell, two spaces apart; the last one is not padded.
void PrintTable(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()), 0);
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 2, ' ');
    }
    std::cout << line << "\n";
  }
}

void PrintEndpoint(const store::WebhookEndpoint& e) {
  std::cout << "Webhook " << e.id << (e.enabled ? "" : "  [off]") << "\n  url: " << e.url
            << "\n  events: " << Joined(e.event_types, ", ") << "\n";
  if (!e.description.empty()) std::cout << "  description: " << e.description << "\n";
}

int ListWebhooks(const app::Config& c, const WebhookArgs& a) {
  auto cmd = OpenWebhooks(c, a.app);
  if (!cmd.ok()) return Fail(cmd.status());
  auto list = cmd->webhooks().List(cmd->app);
  if (!list.ok()) return Fail(list.status());
  const UnixMillis now = cmd->now();
  if (a.json) {
    boost::json::array out;
    for (const auto& e : *list) out.push_back(api::WebhookEndpointView(e, now));
    PrintJson(boost::json::object{{"webhooks", std::move(out)}});
    return 0;
  }
  if (list->empty()) {
    std::cout << "App " << a.app << " has no webhooks.\n";
    return 0;
  }
  std::vector<std::vector<std::string>> rows{{"ID", "ENABLED", "URL", "EVENTS"}};
  for (const auto& e : *list) {
    rows.push_back({e.id, e.enabled ? "yes" : "no", e.url, Joined(e.event_types, ",")});
  }
  PrintTable(rows);
  return 0;
}

int CreateWebhook(const app::Config& c, const WebhookArgs& a) {
  auto cmd = OpenWebhooks(c, a.app);
  if (!cmd.ok()) return Fail(cmd.status());
  auto created = cmd->webhooks().Create(cmd->app, InputOf(a, true), services::CliActor());
  if (!created.ok()) return Fail(created.status());
  if (a.json) {  // as the console API answers
    PrintJson(
        boost::json::object{{"webhook", api::WebhookEndpointView(created->endpoint, cmd->now())},
                            {"secret", created->secret}});
    return 0;
  }
  std::cout << "Created webhook " << created->endpoint.id << " of app " << a.app << ".\n";
  PrintEndpoint(created->endpoint);
  std::cout << "Signing secret (shown once, it is not shown again; store it now):\n"
            << created->secret << "\n";
  return 0;
}

int UpdateWebhook(const app::Config& c, const WebhookArgs& a) {
  auto cmd = OpenWebhooks(c, a.app);
  if (!cmd.ok()) return Fail(cmd.status());
  auto updated = cmd->webhooks().Update(cmd->app, a.id, InputOf(a, false), services::CliActor());
  if (!updated.ok()) return Fail(updated.status());
  if (a.json) {
    PrintJson(api::WebhookEndpointView(*updated, cmd->now()));
    return 0;
  }
  std::cout << "Updated webhook " << updated->id << " of app " << a.app << ".\n";
  PrintEndpoint(*updated);
  if (a.disable) std::cout << "Its pending deliveries are dropped, not sent.\n";
  return 0;
}

int DeleteWebhook(const app::Config& c, const WebhookArgs& a) {
  auto cmd = OpenWebhooks(c, a.app);
  if (!cmd.ok()) return Fail(cmd.status());
  Status s = cmd->webhooks().Delete(cmd->app, a.id, services::CliActor());
  if (!s.ok()) return Fail(s);
  if (a.json) {
    PrintJson(boost::json::object{{"id", a.id}, {"deleted", true}});
    return 0;
  }
  std::cout << "Deleted webhook " << a.id << " of app " << a.app
            << ": what was pending for it is dropped; its delivery log is kept.\n";
  return 0;
}

int RotateWebhookSecret(const app::Config& c, const WebhookArgs& a) {
  auto cmd = OpenWebhooks(c, a.app);
  if (!cmd.ok()) return Fail(cmd.status());
  auto rotated = cmd->webhooks().RotateSecret(cmd->app, a.id, services::CliActor());
  if (!rotated.ok()) return Fail(rotated.status());
  if (a.json) {  // as the console API answers
    PrintJson(
        boost::json::object{{"webhook", api::WebhookEndpointView(rotated->endpoint, cmd->now())},
                            {"secret", rotated->secret}});
    return 0;
  }
  std::cout << "New signing secret of webhook " << rotated->endpoint.id << " of app " << a.app
            << " (shown once, it is not shown again; store it now):\n"
            << rotated->secret << "\n"
            << "The previous secret keeps signing too for 24 h";
  if (rotated->endpoint.previous_secret_expires_at > 0) {
    std::cout << " (until " << api::Rfc3339(rotated->endpoint.previous_secret_expires_at) << ")";
  }
  std::cout << ": each delivery carries both signatures, so receivers may switch to the new "
               "secret at any time before then.\n";
  return 0;
}

int TestWebhook(const app::Config& c, const WebhookArgs& a) {
  auto cmd = OpenWebhooks(c, a.app);
  if (!cmd.ok()) return Fail(cmd.status());
  auto queued = cmd->webhooks().SendTestEvent(cmd->app, a.id, services::CliActor());
  if (!queued.ok()) return Fail(queued.status());
  if (a.json) {
    PrintJson(boost::json::object{{"delivery", api::WebhookDeliveryView(*queued)}});
    return 0;
  }
  std::cout << "Queued a " << store::kWebhookTestEvent << " event for webhook " << a.id
            << ": delivery " << queued->id << " (event " << queued->event_id
            << "). A running server sends it within seconds; see `tessera admin "
               "list-webhook-deliveries --app "
            << a.app << " --id " << a.id << "`.\n";
  return 0;
}

int ListWebhookDeliveries(const app::Config& c, const WebhookArgs& a) {
  auto cmd = OpenWebhooks(c, a.app);
  if (!cmd.ok()) return Fail(cmd.status());
  auto list = cmd->webhooks().Deliveries(cmd->app, a.id, a.limit);
  if (!list.ok()) return Fail(list.status());
  if (a.json) {
    boost::json::array out;
    for (const auto& d : *list) out.push_back(api::WebhookDeliveryView(d));
    PrintJson(boost::json::object{{"deliveries", std::move(out)}});
    return 0;
  }
  if (list->empty()) {
    std::cout << "Webhook " << a.id << " of app " << a.app << " has no deliveries.\n";
    return 0;
  }
  std::vector<std::vector<std::string>> rows{
      {"ID", "CREATED", "EVENT", "STATE", "ATTEMPTS", "LAST STATUS", "LAST ERROR"}};
  for (const auto& d : *list) {
    rows.push_back({d.id, api::Rfc3339(d.created_at), d.event_type, std::string(ToText(d.state)),
                    std::to_string(d.attempts), d.last_status ? std::to_string(d.last_status) : "-",
                    d.last_error.empty() ? "-" : d.last_error});
  }
  PrintTable(rows);
  return 0;
}

int RedeliverWebhook(const app::Config& c, const WebhookArgs& a) {
  auto cmd = OpenWebhooks(c, a.app);
  if (!cmd.ok()) return Fail(cmd.status());
  auto queued = cmd->webhooks().Redeliver(cmd->app, a.id, a.delivery_id, services::CliActor());
  if (!queued.ok()) return Fail(queued.status());
  if (a.json) {
    PrintJson(boost::json::object{{"delivery", api::WebhookDeliveryView(*queued)}});
    return 0;
  }
  std::cout << "Queued " << queued->event_type << " event " << queued->event_id
            << " again for webhook " << a.id << ": delivery " << queued->id
            << " (same webhook-id and body: a receiver that keeps ids sees a duplicate).\n";
  return 0;
}

// A command with the database options, --app, --json and (but for list- and create-webhook)
// --id.
CLI::App* AddCommand(CLI::App& admin, app::Config& config, const char* name, const char* help,
                     WebhookArgs& a, bool with_id, const char* json_help) {
  CLI::App* cmd = admin.add_subcommand(name, help);
  AddDatabaseOptions(cmd, config);
  cmd->add_option("--app", a.app, "App slug")->capture_default_str();
  if (with_id) cmd->add_option("--id", a.id, "The webhook's id (whe_…)")->required();
  cmd->add_flag("--json", a.json, json_help);
  return cmd;
}

using Runner = int (*)(const app::Config&, const WebhookArgs&);

void Register(CommandList& commands, CLI::App* cmd, std::shared_ptr<WebhookArgs> args, Runner run) {
  commands.push_back({cmd, [args, run](const app::Config& c) { return run(c, *args); }});
}

// --events' help: the event types there are, from kWebhookEventTypes.
std::string EventsHelp() {
  std::string names;
  for (const auto& t : store::WebhookEventTypes()) {
    if (!names.empty()) names += ", ";
    names += t.name;
  }
  return "Comma-separated event types (" + names + "), families such as user.*, or * for all";
}

}  // namespace

void AddAdminWebhookCommands(CLI::App& admin, app::Config& config, CommandList& commands) {
  {
    auto a = std::make_shared<WebhookArgs>();
    CLI::App* cmd = AddCommand(admin, config, "list-webhooks",
                               "List an app's webhook endpoints (never their secrets)", *a, false,
                               "Print them as JSON");
    Register(commands, cmd, a, ListWebhooks);
  }
  {
    auto a = std::make_shared<WebhookArgs>();
    CLI::App* cmd = AddCommand(admin, config, "create-webhook",
                               "Add a webhook endpoint to an app; prints its signing secret once",
                               *a, false, "Print the endpoint and its secret as JSON");
    cmd->add_option("--url", a->url, "Where events are POSTed (https)")->required();
    cmd->add_option("--events", a->events, EventsHelp())->required();
    cmd->add_option("--description", a->description, "What it is for");
    cmd->add_flag("--disabled", a->disabled, "Make it turned off (no deliveries until enabled)");
    Register(commands, cmd, a, CreateWebhook);
  }
  {
    auto a = std::make_shared<WebhookArgs>();
    CLI::App* cmd = AddCommand(admin, config, "update-webhook",
                               "Change a webhook endpoint, or turn it on or off", *a, true,
                               "Print the endpoint as JSON");
    cmd->add_option("--url", a->url, "Where events are POSTed (https)");
    cmd->add_option("--events", a->events, EventsHelp() + "; replaces the list");
    cmd->add_option("--description", a->description, "What it is for (\"\" clears it)");
    CLI::Option* enable = cmd->add_flag("--enable", a->enable, "Turn it on");
    CLI::Option* disable = cmd->add_flag(
        "--disable", a->disable, "Turn it off: its pending deliveries are dropped, not sent");
    enable->excludes(disable);
    Register(commands, cmd, a, UpdateWebhook);
  }
  {
    auto a = std::make_shared<WebhookArgs>();
    CLI::App* cmd = AddCommand(
        admin, config, "delete-webhook",
        "Delete a webhook endpoint (its pending deliveries are dropped; its log is kept)", *a, true,
        "Print the result as JSON");
    Register(commands, cmd, a, DeleteWebhook);
  }
  {
    auto a = std::make_shared<WebhookArgs>();
    CLI::App* cmd = AddCommand(
        admin, config, "rotate-webhook-secret",
        "Give a webhook endpoint a new signing secret, printed once; the previous one keeps "
        "signing for 24 h",
        *a, true, "Print the endpoint and its new secret as JSON");
    Register(commands, cmd, a, RotateWebhookSecret);
  }
  {
    auto a = std::make_shared<WebhookArgs>();
    CLI::App* cmd = AddCommand(admin, config, "test-webhook",
                               "Queue a webhook.test event for one endpoint; prints the delivery",
                               *a, true, "Print the delivery as JSON");
    Register(commands, cmd, a, TestWebhook);
  }
  {
    auto a = std::make_shared<WebhookArgs>();
    CLI::App* cmd = AddCommand(
        admin, config, "list-webhook-deliveries",
        "List a webhook endpoint's deliveries, newest first: event, state, attempts, the "
        "receiver's last status and error",
        *a, true, "Print the deliveries (with their bodies) as JSON");
    cmd->add_option("--limit", a->limit, "At most this many")
        ->check(CLI::Range(1, 200))
        ->capture_default_str();
    Register(commands, cmd, a, ListWebhookDeliveries);
  }
  {
    auto a = std::make_shared<WebhookArgs>();
    CLI::App* cmd =
        AddCommand(admin, config, "redeliver-webhook",
                   "Queue one of a webhook endpoint's deliveries again (same webhook-id and body)",
                   *a, true, "Print the new delivery as JSON");
    cmd->add_option("--delivery", a->delivery_id,
                    "The delivery's id (from list-webhook-deliveries)")
        ->required();
    Register(commands, cmd, a, RedeliverWebhook);
  }
}

}  // namespace tessera::cli
