// File: webhook_events.h
// The events an app's webhooks hear of, made from the audit log's events: every audited
// change of a user, a session or a second factor that an endpoint of the app subscribes to
// gives one delivery per such endpoint, queued in the same transaction as the audit event
// (AuditFollower). One place maps actions to event types (kEventOfAction in the .cc), so a
// change that is audited is a change its app can hear of.
#pragma once

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "accounts/user_store.h"
#include "audit/audit_log.h"
#include "base/clock.h"
#include "webhooks/webhook_store.h"

namespace tessera::services {

// The event type an audited action gives, if any (only successes give one).
std::optional<std::string_view> WebhookEventTypeOf(const store::AuditEvent& event);

// The body of an event (Standard Webhooks' payload): {"type", "timestamp", "data"}.
std::string WebhookEventBody(std::string_view type, UnixMillis at, const boost::json::object& data);

// "msg_" + 26 random base32 characters: the webhook-id of an event, the same on every
// attempt and redelivery.
std::string NewWebhookEventId();

// The outbox row that carries event `event_id` of `type` (its body `payload`) to one
// endpoint, due at `at`: an audited change's, a test's, a redelivery's.
store::Delivery WebhookDelivery(std::string_view app_id, std::string_view endpoint_id,
                                std::string_view event_id, std::string_view type,
                                std::string payload, UnixMillis at);

class WebhookEvents : public AuditFollower {
 public:
  WebhookEvents(store::WebhookStore& endpoints, store::UserStore& users, const Clock& clock)
      : endpoints_(endpoints), users_(users), clock_(clock) {}

  // One delivery per enabled endpoint of the event's app that hears its type; none when the
  // action gives no event, or the endpoints cannot be read (logged; the event is recorded).
  std::vector<store::Delivery> DeliveriesFor(const store::AuditEvent& event) override;

 private:
  boost::json::object DataOf(const store::AuditEvent& event);

  store::WebhookStore& endpoints_;
  store::UserStore& users_;
  const Clock& clock_;
};

}  // namespace tessera::services
