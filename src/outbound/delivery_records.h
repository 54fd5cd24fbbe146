// File: delivery_records.h
// The outbox of HTTP deliveries (http_deliveries): requests Tessera owes to others, queued in
// the same transaction as the change they report, so a crash or a restart loses none.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "base/clock.h"
#include "base/enum_text.h"

namespace tessera::store {

// What a delivery carries; each kind has one preparer that makes its request when it is sent
// (delivery_worker.h).
enum class DeliveryKind {
  // OIDC Back-Channel Logout 1.0: a logout token for `client_id` about `user_id`'s grant
  // `session_id` (the `sid` of its ID tokens), queued when that grant ends or the browser
  // session it was started from does.
  kBackchannelLogout,
  // A webhook (webhooks/): the event `event_id` of type `event_type` for the app's endpoint
  // `endpoint_id`; `payload` is the JSON body, made when the event happened and signed when
  // sent.
  kWebhook,
};
inline constexpr EnumText<DeliveryKind> kDeliveryKindTexts[] = {
    {DeliveryKind::kBackchannelLogout, "backchannel_logout"}, {DeliveryKind::kWebhook, "webhook"}};
constexpr std::span<const EnumText<DeliveryKind>> TextsOf(DeliveryKind) {
  return kDeliveryKindTexts;
}

enum class DeliveryState {
  kPending,    // due at next_attempt_at (or leased by a worker until then)
  kDelivered,  // the receiver answered 2xx
  kFailed,     // still refused or unreachable when its retries ran out
  kDropped,    // nothing to send any more (the client lost its URI, the app turned it off)
};
inline constexpr EnumText<DeliveryState> kDeliveryStateTexts[] = {
    {DeliveryState::kPending, "pending"},
    {DeliveryState::kDelivered, "delivered"},
    {DeliveryState::kFailed, "failed"},
    {DeliveryState::kDropped, "dropped"}};
constexpr std::span<const EnumText<DeliveryState>> TextsOf(DeliveryState) {
  return kDeliveryStateTexts;
}

struct Delivery {
  std::string id;
  std::string app_id;
  DeliveryKind kind = DeliveryKind::kBackchannelLogout;
  std::string client_id;
  std::string user_id;
  std::string session_id;
  std::string endpoint_id;  // a webhook's endpoint
  std::string event_id;     // a webhook's event ("msg_…"; a redelivery keeps it)
  std::string event_type;   // a webhook's event type ("user.created")
  std::string payload;  // kind-specific; "" for a logout token (made when sent)
  DeliveryState state = DeliveryState::kPending;
  int64_t attempts = 0;      // counted when leased
  int64_t last_status = 0;   // the receiver's HTTP status; 0 = none (unreachable, not tried)
  std::string last_error;    // why the last attempt failed; "" after a success
  UnixMillis created_at = 0;
  UnixMillis next_attempt_at = 0;
  std::optional<UnixMillis> finished_at;
};

// How an attempt ended (DeliveryStore::FinishAttempt).
struct DeliveryAttempt {
  DeliveryState state = DeliveryState::kPending;  // kPending: try again at retry_at
  int64_t status = 0;
  std::string error{};
  UnixMillis retry_at = 0;
};

}  // namespace tessera::store
