// File: audit_store.h
// Persistence of audit events (contracts: store/store.h).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/result.h"
#include "audit/audit_records.h"
#include "outbound/delivery_records.h"

namespace tessera::store {

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
  // Retention: deletes every event with at < `before`; returns how many.
  virtual Result<int64_t> DeleteAuditEventsBefore(UnixMillis before) = 0;
};

}  // namespace tessera::store
