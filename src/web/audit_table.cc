#include "web/audit_table.h"

#include "web/console_common.h"

namespace tessera::web {
namespace {

using namespace console;

constexpr int kAuditPerPage = 50;

}  // namespace

void AuditTable::Fill(const ConsoleVisitor& v, store::AuditFilter filter, PageData& d,
                      const std::string& base_path, const http::QueryParams& query,
                      const std::map<std::string, std::string>* app_slugs) const {
  std::string action = QueryText(query, "action", 100).value_or("");
  std::string actor = QueryText(query, "actor", 100).value_or("");
  std::string subject = QueryText(query, "subject", 100).value_or("");
  std::optional<std::string> cursor = QueryText(query, "cursor", 100);
  if (!action.empty()) filter.action = action;
  if (!actor.empty()) filter.actor_id = actor;
  if (!subject.empty()) filter.subject_id = subject;
  filter.cursor = cursor;
  filter.limit = kAuditPerPage + 1;
  d.set("filter_action", action);
  d.set("filter_actor", actor);
  d.set("filter_subject", subject);
  d.set("filter_url", base_path);
  d.set("filtering", !action.empty() || !actor.empty() || !subject.empty());
  d.set("with_app", app_slugs != nullptr);
  auto events = audit_.List(filter);
  if (!events.ok()) {
    d.set("events", List());
    d.set("error", "The audit log could not be read just now. Please try again in a moment.");
    return;
  }
  const bool more = static_cast<int>(events->size()) > kAuditPerPage;
  if (more) events->resize(kAuditPerPage);
  // Console users by id, for the actor column (a page has few distinct ones).
  std::map<std::string, std::string> emails;
  auto who = [&](const store::AuditEvent& e) -> std::string {
    if ((e.actor_type == store::AuditActorType::kDeveloper ||
         e.actor_type == store::AuditActorType::kAdmin) &&
        !e.actor_id.empty() && e.actor_id != "cli") {
      auto it = emails.find(e.actor_id);
      if (it == emails.end()) {
        auto u = accounts_.GetUser(v.console, e.actor_id);
        it = emails.emplace(e.actor_id, u.ok() ? u->email : "").first;
      }
      if (!it->second.empty()) return it->second;
    }
    return e.actor_id;
  };
  PageData rows = List();
  for (const auto& e : *events) {
    PageData row;
    row.set("time", FormatTime(e.at));
    row.set("action", std::string(ToText(e.action)));
    row.set("actor_type", std::string(ToText(e.actor_type)));
    row.set("actor", who(e));
    row.set("actor_id", e.actor_id);
    row.set("subject_type", std::string(ToText(e.subject_type)));
    row.set("subject_id", e.subject_id);
    row.set("ip", e.ip);
    row.set("failed", e.outcome != store::AuditOutcome::kSuccess);
    row.set("outcome", std::string(ToText(e.outcome)));
    if (e.details_json != "{}" && !e.details_json.empty())
      row.set("details", e.details_json.substr(0, 300));
    if (app_slugs) {
      std::string slug;
      if (e.app_id) {
        auto it = app_slugs->find(*e.app_id);
        slug = it != app_slugs->end() ? it->second : *e.app_id;
      }
      row.set("app", slug.empty() ? std::string("—") : slug);
    }
    rows.push_back(row);
  }
  d.set("events", rows);
  std::string app_filter = http::FormValue(query, "app");
  if (more && !events->empty()) {
    d.set("older_url", base_path + QueryString({{"app", app_filter},
                                                {"action", action},
                                                {"actor", actor},
                                                {"subject", subject},
                                                {"cursor", events->back().id}}));
  }
  d.set("pager", (more && !events->empty()) || cursor.has_value());
  if (cursor) {
    d.set("newest_url", base_path + QueryString({{"app", app_filter},
                                                 {"action", action},
                                                 {"actor", actor},
                                                 {"subject", subject}}));
  }
}

}  // namespace tessera::web
