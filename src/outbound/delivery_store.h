// File: delivery_store.h
// Persistence of the delivery outbox (contracts: store/store.h). Deliveries are queued by
// the store itself, inside the transaction of the change they report (a session's end:
// session_store.h; an audited change's webhooks: audit_store.h), never by a service after
// the fact — but for what is itself the change: a test event, a redelivery (QueueDelivery).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "outbound/delivery_records.h"

namespace tessera::store {

// The unique key of the outbox (Status::ClashedOn). Queued deliveries are made by the store
// with ON CONFLICT DO NOTHING (the same end queued once), so no caller sees a clash today.
enum class DeliveryUniqueKey { kId };

class DeliveryStore {
 public:
  virtual ~DeliveryStore() = default;
  // Leases up to `limit` pending deliveries due at `now`, oldest first: each gets attempts + 1
  // and next_attempt_at = now + lease_ms, so no other worker or node takes it while it is
  // being sent, and a sender that dies mid-way only delays it. Two concurrent calls never
  // return the same delivery.
  virtual Result<std::vector<Delivery>> LeaseDueDeliveries(UnixMillis now, int limit,
                                                           int64_t lease_ms) = 0;
  // Records how the attempt ended: delivered, failed or dropped for good (finished_at = now),
  // or pending again until `attempt.retry_at`. kNotFound for an unknown id.
  virtual Status FinishAttempt(std::string_view delivery_id, const DeliveryAttempt& attempt,
                               UnixMillis now) = 0;
  // The app's deliveries to one client ("" = every client), newest first (the console's log).
  virtual Result<std::vector<Delivery>> ListDeliveries(std::string_view app_id,
                                                       std::string_view client_id,
                                                       int limit) = 0;
  // The app's webhook deliveries to one endpoint, newest first (the console's log).
  virtual Result<std::vector<Delivery>> ListEndpointDeliveries(std::string_view app_id,
                                                               std::string_view endpoint_id,
                                                               int limit) = 0;
  // kNotFound when the app has no such delivery.
  virtual Result<Delivery> GetDelivery(std::string_view app_id, std::string_view id) = 0;
  // Queues one delivery as given (pending, due at next_attempt_at); kAlreadyExists on
  // DeliveryUniqueKey::kId.
  virtual Status QueueDelivery(const Delivery& delivery) = 0;
  // Pending deliveries (a gauge for metrics and tests).
  virtual Result<int64_t> CountPendingDeliveries() = 0;
};

}  // namespace tessera::store
