// `tessera admin list-deliveries`: the HTTP deliveries an app owes or made — back-channel
// logout tokens to its clients — newest first, with their state, attempts, last answer and
// error: where an operator looks when a relying party says it was never told.
#include <boost/json.hpp>
#include <iostream>
#include <memory>

#include "api/views.h"
#include "app/core_services.h"
#include "base/enum_text.h"
#include "cli/commands.h"

namespace tessera::cli {
namespace {

struct ListDeliveriesArgs {
  std::string app = "default", client_id;
  int limit = 50;
  bool json = false;
};

boost::json::object DeliveryJson(const store::Delivery& d) {
  return {{"id", d.id},
          {"kind", std::string(ToText(d.kind))},
          {"client_id", d.client_id},
          {"user_id", d.user_id},
          {"session_id", d.session_id},
          {"endpoint_id", d.endpoint_id},
          {"event_id", d.event_id},
          {"event_type", d.event_type},
          {"state", std::string(ToText(d.state))},
          {"attempts", d.attempts},
          {"last_status", d.last_status},
          {"last_error", d.last_error},
          {"created_at", api::Rfc3339(d.created_at)},
          {"next_attempt_at", d.state == store::DeliveryState::kPending
                                  ? boost::json::value(api::Rfc3339(d.next_attempt_at))
                                  : boost::json::value(nullptr)},
          {"finished_at", d.finished_at ? boost::json::value(api::Rfc3339(*d.finished_at))
                                        : boost::json::value(nullptr)}};
}

int ListDeliveries(const app::Config& c, const ListDeliveriesArgs& a) {
  auto core = app::CoreServices::Open(c);
  if (!core.ok()) return Fail(core.status());
  auto app = ResolveApp((*core)->apps(), a.app);
  if (!app.ok()) return Fail(app.status());
  auto list = (*core)->store().ListDeliveries(app->id, a.client_id, a.limit);
  if (!list.ok()) return Fail(list.status());
  if (a.json) {
    boost::json::array out;
    for (const auto& d : *list) out.push_back(DeliveryJson(d));
    PrintJson(boost::json::object{{"deliveries", std::move(out)}});
    return 0;
  }
  if (list->empty()) std::cout << "App " << a.app << " has no deliveries.\n";
  for (const auto& d : *list) {
    std::cout << api::Rfc3339(d.created_at) << "  " << ToText(d.kind);
    if (d.kind == store::DeliveryKind::kWebhook) {
      std::cout << "  endpoint " << d.endpoint_id << "  " << d.event_type;
    } else {
      std::cout << "  client " << d.client_id;
    }
    std::cout << "  " << ToText(d.state) << "  attempts " << d.attempts;
    if (d.last_status) std::cout << "  last answer " << d.last_status;
    if (!d.last_error.empty()) std::cout << "  (" << d.last_error << ")";
    std::cout << "\n";
  }
  return 0;
}

}  // namespace

void AddAdminDeliveryCommands(CLI::App& admin, app::Config& config, CommandList& commands) {
  auto args = std::make_shared<ListDeliveriesArgs>();
  CLI::App* cmd = admin.add_subcommand(
      "list-deliveries",
      "List an app's HTTP deliveries (back-channel logout tokens to its clients), newest first: "
      "state, attempts, the receiver's last answer and error (never a token)");
  AddDatabaseOptions(cmd, config);
  cmd->add_option("--app", args->app, "App slug")->capture_default_str();
  cmd->add_option("--client", args->client_id, "Only those to this OAuth client (its client_id)");
  cmd->add_option("--limit", args->limit, "At most this many")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  cmd->add_flag("--json", args->json, "Print the deliveries as JSON");
  commands.push_back({cmd, [args](const app::Config& c) { return ListDeliveries(c, *args); }});
}

}  // namespace tessera::cli
