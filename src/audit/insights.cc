#include "audit/insights.h"

#include <algorithm>
#include <map>

#include "base/log.h"
#include "base/time_format.h"

namespace tessera::services {
namespace {

constexpr int64_t kDayMs = 24LL * 3600 * 1000;
// A first rollup over a long log goes back at most this far (the charts show 90 days; the
// monthly count needs 29 more).
constexpr int64_t kOldestDayRolled = 400;

}  // namespace

std::string DayDate(int64_t day) { return FormatUtc(day * kDayMs, "%Y-%m-%d"); }

Result<Insights> InsightsService::For(const std::optional<std::string>& app_id, int days) {
  if (days != 30 && days != 90) return InvalidArgumentError("days: 30 or 90");
  const int64_t today = clock_.NowMillis() / kDayMs;
  const int64_t first = today - days + 1;
  TESSERA_ASSIGN_OR_RETURN(std::vector<store::AuditDayCount> counts,
                           store_.ListAuditDayCounts(app_id, first, today - 1));
  // Today is counted live unless a node already rolled it up (never: only complete days are).
  TESSERA_ASSIGN_OR_RETURN(std::vector<store::AuditDayCount> live, store_.CountAuditDay(app_id, today));
  counts.insert(counts.end(), live.begin(), live.end());

  Insights out;
  out.days = days;
  out.series.resize(days);
  for (int i = 0; i < days; ++i) out.series[i].date = DayDate(first + i);
  std::map<std::string, int64_t> methods;
  for (const store::AuditDayCount& c : counts) {
    if (c.day < first || c.day > today) continue;
    InsightDay& d = out.series[c.day - first];
    if (c.metric == "signups") d.signups += c.value;
    else if (c.metric == "logins") d.logins += c.value;
    else if (c.metric == "logins_failed") d.logins_failed += c.value;
    else if (c.metric == "dau") d.daily_active += c.value;
    else if (c.metric == "mau") d.monthly_active += c.value;
    else if (c.metric == "login_method") methods[c.key] += c.value;
  }
  for (const InsightDay& d : out.series) {
    out.signups += d.signups;
    out.logins += d.logins;
    out.logins_failed += d.logins_failed;
  }
  out.monthly_active = out.series.back().monthly_active;
  out.sign_in_methods.assign(methods.begin(), methods.end());
  std::stable_sort(out.sign_in_methods.begin(), out.sign_in_methods.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  return out;
}

Result<int64_t> InsightsService::RollUp(int max_days) {
  const UnixMillis now = clock_.NowMillis();
  const int64_t yesterday = now / kDayMs - 1;
  TESSERA_ASSIGN_OR_RETURN(std::optional<int64_t> last, store_.LastRolledUpAuditDay());
  int64_t next;
  if (last) {
    next = *last + 1;
  } else {
    TESSERA_ASSIGN_OR_RETURN(std::optional<int64_t> oldest, store_.FirstAuditEventDay());
    if (!oldest) return int64_t{0};
    next = *oldest;
  }
  next = std::max(next, yesterday - kOldestDayRolled);
  int64_t rolled = 0;
  for (int64_t day = next; day <= yesterday && rolled < max_days; ++day) {
    TESSERA_ASSIGN_OR_RETURN(bool did, store_.RollUpAuditDay(day, now));
    if (did) ++rolled;
  }
  return rolled;
}

}  // namespace tessera::services
