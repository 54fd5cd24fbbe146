#include <algorithm>

#include "store/sql/sql_store.h"

namespace tessera::store::sql {
namespace {

constexpr std::string_view kAuditColumns =
    "id, app_id, at, action, actor_type, actor_id, subject_type, subject_id, ip, user_agent,"
    " outcome, details_json";
constexpr int kMaxAuditPage = 200;

AuditEvent ReadAuditEvent(const SqlRow& r) {
  AuditEvent e;
  e.id = Text(r, 0);
  e.app_id = OptText(r, 1);
  e.at = Int(r, 2);
  e.action = Text(r, 3);
  e.actor_type = Text(r, 4);
  e.actor_id = Text(r, 5);
  e.subject_type = Text(r, 6);
  e.subject_id = Text(r, 7);
  e.ip = Text(r, 8);
  e.user_agent = Text(r, 9);
  e.outcome = Text(r, 10);
  e.details_json = Text(r, 11);
  return e;
}

}  // namespace

Status SqlStore::AppendAuditEvent(const AuditEvent& e) {
  Status s = WriteOne("INSERT INTO audit_events (" + std::string(kAuditColumns) +
                          ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                      {e.id, Opt(e.app_id), e.at, e.action, e.actor_type, e.actor_id,
                       e.subject_type, e.subject_id, e.ip, e.user_agent, e.outcome,
                       e.details_json})
                 .status();
  return s.IsAlreadyExists() ? AlreadyExistsError("id") : s;
}

// The statement text depends only on which filters are set (at most 2^7 variants, each
// prepared once per PostgreSQL connection). The cursor is resolved to its (at, id) in a
// subquery, so the order (at desc, id desc) pages stably even when ids and times disagree.
Result<std::vector<AuditEvent>> SqlStore::ListAuditEvents(const AuditFilter& f) {
  std::string sql = "SELECT " + std::string(kAuditColumns) + " FROM audit_events WHERE 1 = 1";
  std::vector<SqlValue> params;
  auto bind = [&](SqlValue v) {
    params.push_back(std::move(v));
    return "$" + std::to_string(params.size());
  };
  if (f.app_id) sql += " AND app_id = " + bind(*f.app_id);
  if (f.action) sql += " AND action = " + bind(*f.action);
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
  for (const auto& r : rows) out.push_back(ReadAuditEvent(r));
  return out;
}

Result<int64_t> SqlStore::DeleteAuditEventsBefore(UnixMillis before) {
  return WriteOne("DELETE FROM audit_events WHERE at < $1", {before});
}

}  // namespace tessera::store::sql
