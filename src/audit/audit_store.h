// File: audit_store.h
// Persistence of audit events (contracts: store/store.h).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "audit/audit_records.h"
#include "outbound/delivery_records.h"

namespace tessera::store {

// One counter of one day (a day: days since 1970-01-01, UTC): metric "signups", "logins",
// "logins_failed", "dau", "mau" (key ""), or "login_method" (key: the method).
struct AuditDayCount {
  int64_t day = 0;
  std::string metric;
  std::string key;
  int64_t value = 0;
};

// The unique key of audit events (Status::ClashedOn).
enum class AuditEventUniqueKey { kId };

class AuditStore {
 public:
  virtual ~AuditStore() = default;
  // Appends one event (kAlreadyExists on AuditEventUniqueKey::kId); events are never updated.
  // `deliveries` (the event's webhooks) are queued in the same transaction: an event
  // recorded is an event its subscribers will hear of.
  virtual Status AppendAuditEvent(const AuditEvent& event,
                                  std::span<const Delivery> deliveries) = 0;
  Status AppendAuditEvent(const AuditEvent& event) { return AppendAuditEvent(event, {}); }
  // Events matching every set field of the filter, newest first (at desc, id desc), at most
  // filter.limit (clamped to 1..200). With a cursor, only events after that one in this
  // order: paging is stable while events are appended. An unknown cursor yields nothing.
  virtual Result<std::vector<AuditEvent>> ListAuditEvents(const AuditFilter& filter) = 0;
  // The daily rollup (audit/insights.h). Counts day `day` of every app into the counters,
  // once: false when it was rolled up already (by this node or another). Also forgets the
  // daily active users older than 31 days before it (kept only for monthly counts).
  virtual Result<bool> RollUpAuditDay(int64_t day, UnixMillis now) = 0;
  // The latest day rolled up, and the day of the oldest event (nullopt: none).
  virtual Result<std::optional<int64_t>> LastRolledUpAuditDay() = 0;
  virtual Result<std::optional<int64_t>> FirstAuditEventDay() = 0;
  // The rolled-up counters of days [from_day, to_day] of one app, or summed over every app
  // (nullopt).
  virtual Result<std::vector<AuditDayCount>> ListAuditDayCounts(
      const std::optional<std::string>& app_id, int64_t from_day, int64_t to_day) = 0;
  // The same counters of one day counted from its events (today, not rolled up yet).
  virtual Result<std::vector<AuditDayCount>> CountAuditDay(const std::optional<std::string>& app_id,
                                                           int64_t day) = 0;
  // Retention: deletes every event with at < `before`; returns how many.
  virtual Result<int64_t> DeleteAuditEventsBefore(UnixMillis before) = 0;
};

}  // namespace tessera::store
