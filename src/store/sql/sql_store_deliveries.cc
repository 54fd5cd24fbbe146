#include <algorithm>

#include "base/strings.h"
#include "base/utf8.h"
#include "store/sql/sql_store.h"

namespace tessera::store::sql {
namespace {

constexpr std::string_view kDeliveryColumns =
    "id, app_id, kind, client_id, user_id, session_id, payload, state, attempts, last_status,"
    " last_error, created_at, next_attempt_at, finished_at, endpoint_id, event_id, event_type";

// Error texts come from libcurl or a receiver; keep the column small.
constexpr size_t kMaxErrorBytes = 500;

Result<Delivery> ReadDelivery(const SqlRow& r) {
  Delivery d;
  d.id = Text(r, 0);
  d.app_id = Text(r, 1);
  TESSERA_ASSIGN_OR_RETURN(d.kind, EnumColumn<DeliveryKind>(r, 2, "http_deliveries.kind"));
  d.client_id = Text(r, 3);
  d.user_id = Text(r, 4);
  d.session_id = Text(r, 5);
  d.payload = Text(r, 6);
  TESSERA_ASSIGN_OR_RETURN(d.state, EnumColumn<DeliveryState>(r, 7, "http_deliveries.state"));
  d.attempts = Int(r, 8);
  d.last_status = Int(r, 9);
  d.last_error = Text(r, 10);
  d.created_at = Int(r, 11);
  d.next_attempt_at = Int(r, 12);
  d.finished_at = OptInt(r, 13);
  d.endpoint_id = Text(r, 14);
  d.event_id = Text(r, 15);
  d.event_type = Text(r, 16);
  return d;
}

Result<std::vector<Delivery>> ReadDeliveries(const SqlRows& rows) {
  std::vector<Delivery> out;
  out.reserve(rows.size());
  for (const SqlRow& r : rows) {
    TESSERA_ASSIGN_OR_RETURN(Delivery d, ReadDelivery(r));
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace

Status SqlStore::InsertDelivery(SqlConnection& c, const Delivery& d) {
  return c
      .Exec(StrCat({"INSERT INTO http_deliveries (", kDeliveryColumns,
                    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,"
                    " $16, $17)"}),
            {d.id, d.app_id, EnumValue(d.kind), d.client_id, d.user_id, d.session_id, d.payload,
             EnumValue(d.state), d.attempts, d.last_status, d.last_error, d.created_at,
             d.next_attempt_at, d.finished_at ? SqlValue(*d.finished_at) : Null(), d.endpoint_id,
             d.event_id, d.event_type})
      .status();
}

Status SqlStore::QueueDelivery(const Delivery& d) {
  return db_->Write([&](SqlConnection& c) { return InsertDelivery(c, d); });
}

Result<Delivery> SqlStore::GetDelivery(std::string_view app_id, std::string_view id) {
  TESSERA_ASSIGN_OR_RETURN(
      SqlRows rows, ReadRows(StrCat({"SELECT ", kDeliveryColumns,
                                     " FROM http_deliveries WHERE app_id = $1 AND id = $2"}),
                             {std::string(app_id), std::string(id)}));
  if (rows.empty()) return NotFoundError("delivery");
  return ReadDelivery(rows[0]);
}

Result<std::vector<Delivery>> SqlStore::ListEndpointDeliveries(std::string_view app_id,
                                                               std::string_view endpoint_id,
                                                               int limit) {
  TESSERA_ASSIGN_OR_RETURN(
      SqlRows rows,
      ReadRows(StrCat({"SELECT ", kDeliveryColumns,
                       " FROM http_deliveries WHERE app_id = $1 AND endpoint_id = $2"
                       " ORDER BY created_at DESC, id DESC LIMIT $3"}),
               {std::string(app_id), std::string(endpoint_id), int64_t{std::max(limit, 0)}}));
  return ReadDeliveries(rows);
}

// One statement, as LeaseDueMail (sql_store_mail.cc says why it is atomic on both engines).
Result<std::vector<Delivery>> SqlStore::LeaseDueDeliveries(UnixMillis now, int limit,
                                                           int64_t lease_ms) {
  if (limit <= 0) return std::vector<Delivery>{};
  SqlRows rows;
  TESSERA_RETURN_IF_ERROR(db_->Write([&](SqlConnection& c) -> Status {
    TESSERA_ASSIGN_OR_RETURN(
        rows, c.Query(StrCat({"UPDATE http_deliveries SET attempts = attempts + 1,"
                              " next_attempt_at = $2"
                              " WHERE state = $4 AND next_attempt_at <= $1 AND id IN ("
                              "SELECT id FROM http_deliveries WHERE state = $4"
                              " AND next_attempt_at <= $1 ORDER BY next_attempt_at, created_at"
                              " LIMIT $3) RETURNING ",
                              kDeliveryColumns}),
                      {now, now + lease_ms, int64_t{limit}, EnumValue(DeliveryState::kPending)}));
    return OkStatus();
  }));
  TESSERA_ASSIGN_OR_RETURN(std::vector<Delivery> out, ReadDeliveries(rows));
  // RETURNING has no order: oldest first.
  std::sort(out.begin(), out.end(), [](const Delivery& a, const Delivery& b) {
    return a.created_at != b.created_at ? a.created_at < b.created_at : a.id < b.id;
  });
  return out;
}

// Only a pending delivery changes: one another node finished meanwhile (after this node's
// lease ran out) keeps its end.
Status SqlStore::FinishAttempt(std::string_view delivery_id, const DeliveryAttempt& attempt,
                               UnixMillis now) {
  const bool finished = attempt.state != DeliveryState::kPending;
  TESSERA_ASSIGN_OR_RETURN(
      int64_t n,
      WriteOne("UPDATE http_deliveries SET state = $2, last_status = $3, last_error = $4,"
               " next_attempt_at = $5, finished_at = $6 WHERE id = $1 AND state = $7",
               {std::string(delivery_id), EnumValue(attempt.state), attempt.status,
                DisplayText(attempt.error, kMaxErrorBytes),
                finished ? now : attempt.retry_at, finished ? SqlValue(now) : Null(),
                EnumValue(DeliveryState::kPending)}));
  if (n == 1) return OkStatus();
  TESSERA_ASSIGN_OR_RETURN(SqlRows rows, ReadRows("SELECT id FROM http_deliveries WHERE id = $1",
                                                  {std::string(delivery_id)}));
  return rows.empty() ? NotFoundError("delivery") : OkStatus();
}

Result<std::vector<Delivery>> SqlStore::ListDeliveries(std::string_view app_id,
                                                       std::string_view client_id, int limit) {
  TESSERA_ASSIGN_OR_RETURN(
      SqlRows rows,
      ReadRows(StrCat({"SELECT ", kDeliveryColumns,
                       " FROM http_deliveries WHERE app_id = $1 AND ($2 = '' OR client_id = $2)"
                       " ORDER BY created_at DESC, id DESC LIMIT $3"}),
               {std::string(app_id), std::string(client_id), int64_t{std::max(limit, 0)}}));
  return ReadDeliveries(rows);
}

Result<int64_t> SqlStore::CountPendingDeliveries() {
  TESSERA_ASSIGN_OR_RETURN(
      SqlRows rows, ReadRows("SELECT COUNT(*) FROM http_deliveries WHERE state = $1",
                             {EnumValue(DeliveryState::kPending)}));
  return rows.empty() ? 0 : Int(rows[0], 0);
}

}  // namespace tessera::store::sql
