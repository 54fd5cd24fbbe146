// File: insights.h
// Pictures of an app's use, for the consoles: sign-ups, sign-ins (ok and failed), active users
// (daily, and monthly: distinct users over the 30 days ending that day) and sign-in methods,
// over the last 30 or 90 days. Built from the audit log through a daily rollup (complete UTC
// days are counted once into audit_daily_counts by RollUp, run by the maintenance loop), so a
// page reads at most 90 days of counters whatever the log's size; only today is counted from
// the events themselves (one day, by the (app_id, at) index).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "audit/audit_store.h"
#include "base/clock.h"
#include "base/result.h"

namespace tessera::services {

struct InsightDay {
  std::string date;  // "2026-12-05" (UTC)
  int64_t signups = 0;        // user.signup + user.created
  int64_t logins = 0;         // user.login
  int64_t logins_failed = 0;  // user.login_failed
  int64_t daily_active = 0;   // distinct users who signed in that day
  int64_t monthly_active = 0;  // distinct users who signed in during the 30 days ending that day
};

struct Insights {
  int days = 30;                   // 30 or 90
  std::vector<InsightDay> series;  // `days` entries, oldest first; the last is today, so far
  // Sign-ins over the period by method ("password", "email", "passkey", a provider's slug …),
  // most used first.
  std::vector<std::pair<std::string, int64_t>> sign_in_methods;
  int64_t signups = 0;        // totals over the period
  int64_t logins = 0;
  int64_t logins_failed = 0;
  int64_t monthly_active = 0;  // today's
};

class InsightsService {
 public:
  InsightsService(store::AuditStore& store, const Clock& clock) : store_(store), clock_(clock) {}

  // One app's (`app_id`), or every app's together (nullopt). `days`: 30 or 90, else
  // kInvalidArgument.
  Result<Insights> For(const std::optional<std::string>& app_id, int days);
  // Rolls up the complete days not yet rolled up, oldest first, at most `max_days` in one call
  // (a first run over a long log catches up over a few calls); returns how many it rolled.
  // Idempotent and safe on several nodes at once.
  Result<int64_t> RollUp(int max_days = 31);

 private:
  store::AuditStore& store_;
  const Clock& clock_;
};

// "2026-12-05" for a day number (days since 1970-01-01, UTC).
std::string DayDate(int64_t day);

}  // namespace tessera::services
