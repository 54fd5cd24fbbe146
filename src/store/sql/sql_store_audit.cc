#include <algorithm>

#include "base/strings.h"
#include "store/sql/sql_store.h"

namespace tessera::store::sql {
namespace {

constexpr std::string_view kAuditColumns =
    "id, app_id, at, action, actor_type, actor_id, subject_type, subject_id, ip, user_agent,"
    " outcome, details_json";
constexpr int kMaxAuditPage = 200;

// kInternal for an action, actor type, subject type or outcome we do not know (a former
// action name reads as its action: audit_actions.h).
Result<AuditEvent> ReadAuditEvent(const SqlRow& r) {
  AuditEvent e;
  e.id = Text(r, 0);
  e.app_id = OptText(r, 1);
  e.at = Int(r, 2);
  TESSERA_ASSIGN_OR_RETURN(e.action, EnumColumn<AuditAction>(r, 3, "audit_events.action"));
  TESSERA_ASSIGN_OR_RETURN(e.actor_type,
                           EnumColumn<AuditActorType>(r, 4, "audit_events.actor_type"));
  e.actor_id = Text(r, 5);
  TESSERA_ASSIGN_OR_RETURN(e.subject_type,
                           EnumColumn<AuditSubjectType>(r, 6, "audit_events.subject_type"));
  e.subject_id = Text(r, 7);
  e.ip = Text(r, 8);
  e.user_agent = Text(r, 9);
  TESSERA_ASSIGN_OR_RETURN(e.outcome, EnumColumn<AuditOutcome>(r, 10, "audit_events.outcome"));
  e.details_json = Text(r, 11);
  return e;
}

}  // namespace

Status SqlStore::AppendAuditEvent(const AuditEvent& e, std::span<const Delivery> deliveries) {
  return db_->Write([&](SqlConnection& c) -> Status {
    TESSERA_RETURN_IF_ERROR(
        c.Exec(StrCat({"INSERT INTO audit_events (", kAuditColumns,
                       ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"}),
               {e.id, Opt(e.app_id), e.at, EnumValue(e.action), EnumValue(e.actor_type),
                e.actor_id, EnumValue(e.subject_type), e.subject_id, e.ip, e.user_agent,
                EnumValue(e.outcome), e.details_json})
            .status());
    for (const Delivery& d : deliveries) TESSERA_RETURN_IF_ERROR(InsertDelivery(c, d));
    return OkStatus();
  });
}

// The statement text depends only on which filters are set and on how many names the action
// has (at most 2^7 * 2 variants, each prepared once per PostgreSQL connection). The cursor is
// resolved to its (at, id) in a subquery, so the order (at desc, id desc) pages stably even
// when ids and times disagree.
Result<std::vector<AuditEvent>> SqlStore::ListAuditEvents(const AuditFilter& f) {
  std::string sql = "SELECT " + std::string(kAuditColumns) + " FROM audit_events WHERE 1 = 1";
  std::vector<SqlValue> params;
  auto bind = [&](SqlValue v) {
    params.push_back(std::move(v));
    return "$" + std::to_string(params.size());
  };
  if (f.app_id) sql += " AND app_id = " + bind(*f.app_id);
  if (f.action) {
    // Every name its rows may carry (a renamed action's former one too); a name that is no
    // action is bound as given, and no row holds it.
    std::optional<AuditAction> action = FromText<AuditAction>(*f.action);
    std::vector<std::string_view> names =
        action ? StoredNamesOf(*action) : std::vector<std::string_view>{*f.action};
    sql += " AND action IN (";
    for (size_t i = 0; i < names.size(); ++i) sql += (i ? ", " : "") + bind(std::string(names[i]));
    sql += ")";
  }
  if (f.actor_id) sql += " AND actor_id = " + bind(*f.actor_id);
  if (f.subject_id) sql += " AND subject_id = " + bind(*f.subject_id);
  if (f.since) sql += " AND at >= " + bind(*f.since);
  if (f.until) sql += " AND at < " + bind(*f.until);
  if (f.cursor) {
    std::string c = bind(*f.cursor);
    std::string cursor_at = "(SELECT c.at FROM audit_events c WHERE c.id = " + c + ")";
    sql += " AND (at < " + cursor_at + " OR (at = " + cursor_at + " AND id < " + c + "))";
  }
  int limit = std::clamp(f.limit, 1, kMaxAuditPage);
  sql += " ORDER BY at DESC, id DESC LIMIT " + bind(int64_t{limit});
  SqlRows rows;
  TESSERA_RETURN_IF_ERROR(db_->Read([&](SqlConnection& c) -> Status {
    TESSERA_ASSIGN_OR_RETURN(rows, c.Query(sql, std::span<const SqlValue>(params)));
    return OkStatus();
  }));
  std::vector<AuditEvent> out;
  out.reserve(rows.size());
  for (const auto& r : rows) {
    TESSERA_ASSIGN_OR_RETURN(AuditEvent e, ReadAuditEvent(r));
    out.push_back(std::move(e));
  }
  return out;
}

Result<int64_t> SqlStore::DeleteAuditEventsBefore(UnixMillis before) {
  return WriteOne("DELETE FROM audit_events WHERE at < $1", {before});
}

}  // namespace tessera::store::sql
