// `tessera admin audit`: the audit log, newest first, read with AuditLog::List as the
// consoles and the server API read it. Opens only the store.
#include <iostream>
#include <memory>

#include "api/views.h"
#include "app/core_services.h"
#include "cli/commands.h"

namespace tessera::cli {
namespace {

struct AuditArgs {
  std::string app, action, actor, subject, cursor;
  int limit = 50;
  bool json = false;
};

void PrintEventLine(const store::AuditEvent& e) {
  std::cout << api::Rfc3339(e.at) << "  " << ToText(e.action) << "  " << ToText(e.outcome)
            << "  actor=" << ToText(e.actor_type) << (e.actor_id.empty() ? "" : ":" + e.actor_id)
            << "  subject=" << ToText(e.subject_type)
            << (e.subject_id.empty() ? "" : ":" + e.subject_id)
            << (e.ip.empty() ? "" : "  ip=" + e.ip) << "  " << e.details_json << "  id=" << e.id
            << "\n";
}

// --json prints one event per line (JSON lines).
int ListAudit(const app::Config& c, const AuditArgs& a) {
  auto core = app::CoreServices::Open(c);
  if (!core.ok()) return Fail(core.status());
  store::AuditFilter f;
  if (!a.app.empty()) {
    auto app = ResolveApp((*core)->apps(), a.app);
    if (!app.ok()) return Fail(app.status());
    f.app_id = app->id;
  }
  if (!a.action.empty()) f.action = a.action;
  if (!a.actor.empty()) f.actor_id = a.actor;
  if (!a.subject.empty()) f.subject_id = a.subject;
  if (!a.cursor.empty()) f.cursor = a.cursor;
  f.limit = a.limit;
  auto events = (*core)->audit().List(f);
  if (!events.ok()) return Fail(events.status());
  for (const auto& e : *events) {
    if (a.json) {
      std::cout << services::AuditEventJson(e) << "\n";
    } else {
      PrintEventLine(e);
    }
  }
  return 0;
}

}  // namespace

void AddAuditCommand(CLI::App& admin, app::Config& config, CommandList& commands) {
  auto args = std::make_shared<AuditArgs>();
  CLI::App* cmd = admin.add_subcommand("audit", "Show audit events, newest first");
  AddDatabaseOptions(cmd, config);
  cmd->add_option("--app", args->app, "Only this app (slug)");
  cmd->add_option("--action", args->action, "Only this action (e.g. user.login_failed)");
  cmd->add_option("--actor", args->actor, "Only this actor id");
  cmd->add_option("--subject", args->subject, "Only this subject id");
  cmd->add_option("--cursor", args->cursor, "Continue after this event id (paging)");
  cmd->add_option("--limit", args->limit, "At most this many events")
      ->check(CLI::Range(1, 200))
      ->capture_default_str();
  cmd->add_flag("--json", args->json, "One JSON object per line");
  commands.push_back({cmd, [args](const app::Config& c) { return ListAudit(c, *args); }});
}

}  // namespace tessera::cli
