// The audit log counted by day (audit/insights.h): the counters of one day are made by one
// set of statements, used both to roll a complete day up and to count today live.
#include <boost/json.hpp>
#include <map>
#include <tuple>

#include "base/strings.h"
#include "store/sql/sql_store.h"

namespace tessera::store::sql {
namespace {

constexpr int64_t kDayMs = 24LL * 3600 * 1000;
constexpr int64_t kActiveUsersKeptDays = 31;
constexpr int64_t kMonthDays = 30;

struct AppDayCount {
  std::string app_id;
  AuditDayCount count;
};

SqlValue Success() { return EnumValue(AuditOutcome::kSuccess); }

// " AND app_id = $n" when one app is asked for, binding it.
std::string AppFilter(const std::optional<std::string>& app_id, std::vector<SqlValue>& params) {
  if (!app_id) return " AND app_id IS NOT NULL";
  params.push_back(*app_id);
  return " AND app_id = $" + std::to_string(params.size());
}

// The method a sign-in event names in its details ("password" when it names none: the
// oldest events).
std::string MethodOf(std::string_view details_json) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(details_json, ec);
  if (!ec && v.is_object()) {
    if (const auto* m = v.as_object().if_contains("method"); m && m->is_string()) {
      std::string method(m->as_string());
      if (!method.empty() && method.size() <= 64) return method;
    }
  }
  return "password";
}

// The counters of day `day` from its events: one app's, or each app's. The monthly count
// takes the users of the 29 days before from audit_active_users (rolled up, oldest first).
Result<std::vector<AppDayCount>> DayCounts(SqlConnection& c, const std::optional<std::string>& app_id,
                                           int64_t day) {
  const int64_t start = day * kDayMs, end = start + kDayMs;
  std::vector<AppDayCount> out;
  auto count_actions = [&](std::string_view metric,
                           std::initializer_list<AuditAction> actions) -> Status {
    std::vector<SqlValue> params{start, end, Success()};
    std::string in;
    for (AuditAction a : actions) {
      params.push_back(EnumValue(a));
      in += (in.empty() ? "$" : ", $") + std::to_string(params.size());
    }
    std::string sql = "SELECT app_id, COUNT(*) FROM audit_events WHERE at >= $1 AND at < $2"
                      " AND outcome = $3 AND action IN (" + in + ")" + AppFilter(app_id, params) +
                      " GROUP BY app_id";
    TESSERA_ASSIGN_OR_RETURN(SqlRows rows, c.Query(sql, params));
    for (const SqlRow& r : rows) out.push_back({Text(r, 0), {day, std::string(metric), "", Int(r, 1)}});
    return OkStatus();
  };
  TESSERA_RETURN_IF_ERROR(count_actions("signups", {AuditAction::kUserSignup, AuditAction::kUserCreated}));
  TESSERA_RETURN_IF_ERROR(count_actions("logins", {AuditAction::kUserLogin}));
  // A failed sign-in is recorded with outcome failure.
  {
    std::vector<SqlValue> params{start, end, EnumValue(AuditAction::kUserLoginFailed)};
    std::string sql = "SELECT app_id, COUNT(*) FROM audit_events WHERE at >= $1 AND at < $2"
                      " AND action = $3" + AppFilter(app_id, params) + " GROUP BY app_id";
    TESSERA_ASSIGN_OR_RETURN(SqlRows rows, c.Query(sql, params));
    for (const SqlRow& r : rows) out.push_back({Text(r, 0), {day, "logins_failed", "", Int(r, 1)}});
  }
  // Methods: the details of a sign-in are few distinct texts; they are read here rather than
  // with each engine's own JSON functions.
  {
    std::vector<SqlValue> params{start, end, Success(), EnumValue(AuditAction::kUserLogin)};
    std::string sql = "SELECT app_id, details_json, COUNT(*) FROM audit_events"
                      " WHERE at >= $1 AND at < $2 AND outcome = $3 AND action = $4" +
                      AppFilter(app_id, params) + " GROUP BY app_id, details_json";
    TESSERA_ASSIGN_OR_RETURN(SqlRows rows, c.Query(sql, params));
    std::map<std::pair<std::string, std::string>, int64_t> methods;
    for (const SqlRow& r : rows) methods[{Text(r, 0), MethodOf(Text(r, 1))}] += Int(r, 2);
    for (const auto& [k, n] : methods) out.push_back({k.first, {day, "login_method", k.second, n}});
  }
  // Daily and monthly active users: the day's distinct signed-in users, and those of the 30
  // days ending with it (the 29 before from audit_active_users).
  {
    std::vector<SqlValue> params{start, end, Success(), EnumValue(AuditAction::kUserLogin)};
    std::string today = "SELECT app_id, subject_id AS user_id FROM audit_events WHERE at >= $1"
                        " AND at < $2 AND outcome = $3 AND action = $4" + AppFilter(app_id, params);
    TESSERA_ASSIGN_OR_RETURN(
        SqlRows dau, c.Query("SELECT app_id, COUNT(DISTINCT user_id) FROM (" + today +
                                 ") t GROUP BY app_id",
                             params));
    for (const SqlRow& r : dau) out.push_back({Text(r, 0), {day, "dau", "", Int(r, 1)}});
    params.push_back(day - (kMonthDays - 1));
    const std::string from = "$" + std::to_string(params.size());
    params.push_back(day);
    const std::string to = "$" + std::to_string(params.size());
    std::string before = "SELECT app_id, user_id FROM audit_active_users WHERE day >= " + from +
                         " AND day < " + to + (app_id ? " AND app_id = $5" : "");
    TESSERA_ASSIGN_OR_RETURN(
        SqlRows mau, c.Query("SELECT app_id, COUNT(*) FROM (" + today + " UNION " + before +
                                 ") t GROUP BY app_id",
                             params));
    for (const SqlRow& r : mau) out.push_back({Text(r, 0), {day, "mau", "", Int(r, 1)}});
  }
  return out;
}

// Counters of several apps summed by (day, metric, key).
std::vector<AuditDayCount> Summed(const std::vector<AppDayCount>& counts) {
  std::map<std::tuple<int64_t, std::string, std::string>, int64_t> sum;
  for (const AppDayCount& c : counts) sum[{c.count.day, c.count.metric, c.count.key}] += c.count.value;
  std::vector<AuditDayCount> out;
  for (const auto& [k, v] : sum) out.push_back({std::get<0>(k), std::get<1>(k), std::get<2>(k), v});
  return out;
}

}  // namespace

Result<bool> SqlStore::RollUpAuditDay(int64_t day, UnixMillis now) {
  bool rolled = false;
  TESSERA_RETURN_IF_ERROR(db_->Write([&](SqlConnection& c) -> Status {
    TESSERA_ASSIGN_OR_RETURN(SqlRows done,
                             c.Query("SELECT day FROM audit_rollup_days WHERE day = $1", {day}));
    if (!done.empty()) return OkStatus();
    TESSERA_ASSIGN_OR_RETURN(std::vector<AppDayCount> counts, DayCounts(c, std::nullopt, day));
    for (const AppDayCount& a : counts) {
      TESSERA_RETURN_IF_ERROR(
          c.Exec("INSERT INTO audit_daily_counts (app_id, day, metric, key, value)"
                 " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                 {a.app_id, day, a.count.metric, a.count.key, a.count.value})
              .status());
    }
    const int64_t start = day * kDayMs;
    TESSERA_RETURN_IF_ERROR(
        c.Exec("INSERT INTO audit_active_users (app_id, day, user_id)"
               " SELECT DISTINCT app_id, CAST($3 AS BIGINT), subject_id FROM audit_events WHERE at >= $1"
               " AND at < $2 AND outcome = $4 AND action = $5 AND app_id IS NOT NULL"
               " ON CONFLICT DO NOTHING",
               {start, start + kDayMs, day, Success(), EnumValue(AuditAction::kUserLogin)})
            .status());
    TESSERA_RETURN_IF_ERROR(c.Exec("DELETE FROM audit_active_users WHERE day < $1",
                                   {day - kActiveUsersKeptDays})
                                .status());
    TESSERA_RETURN_IF_ERROR(c.Exec("INSERT INTO audit_rollup_days (day, rolled_at) VALUES ($1, $2)"
                                   " ON CONFLICT DO NOTHING",
                                   {day, now})
                                .status());
    rolled = true;
    return OkStatus();
  }));
  return rolled;
}

Result<std::optional<int64_t>> SqlStore::LastRolledUpAuditDay() {
  TESSERA_ASSIGN_OR_RETURN(SqlRows rows, ReadRows("SELECT MAX(day) FROM audit_rollup_days", {}));
  return rows.empty() ? std::nullopt : OptInt(rows[0], 0);
}

Result<std::optional<int64_t>> SqlStore::FirstAuditEventDay() {
  TESSERA_ASSIGN_OR_RETURN(SqlRows rows, ReadRows("SELECT MIN(at) FROM audit_events", {}));
  std::optional<int64_t> at = rows.empty() ? std::nullopt : OptInt(rows[0], 0);
  if (!at) return std::optional<int64_t>();
  return std::optional<int64_t>(*at / kDayMs);
}

Result<std::vector<AuditDayCount>> SqlStore::ListAuditDayCounts(
    const std::optional<std::string>& app_id, int64_t from_day, int64_t to_day) {
  std::vector<SqlValue> params{from_day, to_day};
  std::string sql = "SELECT app_id, day, metric, key, value FROM audit_daily_counts"
                    " WHERE day >= $1 AND day <= $2";
  if (app_id) {
    params.push_back(*app_id);
    sql += " AND app_id = $3";
  }
  std::vector<AppDayCount> counts;
  TESSERA_RETURN_IF_ERROR(db_->Read([&](SqlConnection& c) -> Status {
    TESSERA_ASSIGN_OR_RETURN(SqlRows rows, c.Query(sql, params));
    for (const SqlRow& r : rows) {
      counts.push_back({Text(r, 0), {Int(r, 1), Text(r, 2), Text(r, 3), Int(r, 4)}});
    }
    return OkStatus();
  }));
  return Summed(counts);
}

Result<std::vector<AuditDayCount>> SqlStore::CountAuditDay(const std::optional<std::string>& app_id,
                                                           int64_t day) {
  std::vector<AppDayCount> counts;
  TESSERA_RETURN_IF_ERROR(db_->Read([&](SqlConnection& c) -> Status {
    TESSERA_ASSIGN_OR_RETURN(counts, DayCounts(c, app_id, day));
    return OkStatus();
  }));
  return Summed(counts);
}

}  // namespace tessera::store::sql
