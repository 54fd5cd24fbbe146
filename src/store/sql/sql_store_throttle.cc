#include "store/sql/sql_store.h"

namespace tessera::store::sql {

// A window started at window_start has ended once window_start + window_ms <= now.
Result<ThrottleState> SqlStore::GetThrottle(std::string_view key, UnixMillis now,
                                            int64_t window_ms) {
  TESSERA_ASSIGN_OR_RETURN(
      SqlRows rows, ReadRows("SELECT failures, window_start FROM login_throttle WHERE key = $1",
                             {std::string(key)}));
  if (rows.empty()) return ThrottleState{};
  ThrottleState st{Int(rows[0], 0), Int(rows[0], 1)};
  if (st.window_start + window_ms <= now) return ThrottleState{};
  return st;
}

// One upsert, so concurrent failures never lose a count: PostgreSQL's ON CONFLICT DO UPDATE
// locks the row (or inserts it) atomically; SQLite has a single writer.
Result<ThrottleState> SqlStore::AddThrottleFailure(std::string_view key, UnixMillis now,
                                                   int64_t window_ms) {
  ThrottleState st;
  TESSERA_RETURN_IF_ERROR(db_->Write([&](SqlConnection& c) -> Status {
    TESSERA_ASSIGN_OR_RETURN(
        SqlRows rows,
        c.Query("INSERT INTO login_throttle (key, failures, window_start) VALUES ($1, 1, $2)"
                " ON CONFLICT (key) DO UPDATE SET"
                " failures = CASE WHEN login_throttle.window_start + $3 <= $2 THEN 1"
                " ELSE login_throttle.failures + 1 END,"
                " window_start = CASE WHEN login_throttle.window_start + $3 <= $2 THEN $2"
                " ELSE login_throttle.window_start END"
                " RETURNING failures, window_start",
                {std::string(key), now, window_ms}));
    if (rows.empty()) return InternalError("throttle upsert returned no row");
    st = ThrottleState{Int(rows[0], 0), Int(rows[0], 1)};
    return OkStatus();
  }));
  return st;
}

Status SqlStore::ClearThrottle(std::string_view key) {
  return WriteOne("DELETE FROM login_throttle WHERE key = $1", {std::string(key)}).status();
}

}  // namespace tessera::store::sql
