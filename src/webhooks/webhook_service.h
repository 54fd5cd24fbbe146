// File: webhook_service.h
// An app's webhook endpoints as its developers manage them (console page, console API, CLI):
// add, change, turn on and off, delete, rotate the signing secret, send a test event, read
// the delivery log and queue a delivery again. The secret is shown once, when it is made;
// it is sealed under the master key at once.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "audit/audit_log.h"
#include "base/clock.h"
#include "base/result.h"
#include "outbound/delivery_store.h"
#include "tenancy/tenancy_records.h"
#include "webhooks/webhook_store.h"

namespace tessera::services {

inline constexpr size_t kMaxWebhookEndpointsPerApp = 20;
inline constexpr size_t kMaxWebhookUrlBytes = 2000;
inline constexpr size_t kMaxWebhookDescriptionChars = 200;
// How long the previous secret keeps signing after a rotation: receivers verify either.
inline constexpr int64_t kWebhookSecretOverlapMs = 24LL * 3600 * 1000;

// What a developer sends to add or change an endpoint; a member left out keeps its value
// (on add: url and event_types are required, enabled defaults to true).
struct WebhookInput {
  std::optional<std::string> url;
  std::optional<std::string> description;
  std::optional<std::vector<std::string>> event_types;  // kWebhookEventTypes names, "user.*", "*"
  std::optional<bool> enabled;
};

// An endpoint with its new signing secret, shown this once ("whsec_…").
struct WebhookEndpointWithSecret {
  store::WebhookEndpoint endpoint;
  std::string secret;
};

class WebhookService {
 public:
  // `master_key`: the 32 bytes that seal the signing secrets (as they seal signing keys).
  WebhookService(store::WebhookStore& store, store::DeliveryStore& deliveries,
                 std::string master_key, const Clock& clock, AuditLog* audit = nullptr)
      : store_(store), deliveries_(deliveries), master_key_(std::move(master_key)),
        clock_(clock), audit_(audit) {}

  // kInvalidArgument with a FieldError per bad member (url, description, event_types);
  // kFailedPrecondition when the app has kMaxWebhookEndpointsPerApp already.
  Result<WebhookEndpointWithSecret> Create(const store::App& app, const WebhookInput& input,
                                           const Actor& actor);
  Result<store::WebhookEndpoint> Update(const store::App& app, std::string_view id,
                                        const WebhookInput& input, const Actor& actor);
  // The endpoint goes; its log stays (a week, as every finished delivery) and what was still
  // pending for it is dropped.
  Status Delete(const store::App& app, std::string_view id, const Actor& actor);
  Result<std::vector<store::WebhookEndpoint>> List(const store::App& app);
  Result<store::WebhookEndpoint> Get(const store::App& app, std::string_view id);

  // A new secret; the previous one keeps signing for kWebhookSecretOverlapMs.
  Result<WebhookEndpointWithSecret> RotateSecret(const store::App& app, std::string_view id,
                                                 const Actor& actor);
  // Queues a "webhook.test" event for this endpoint alone, due now; kFailedPrecondition for
  // a disabled endpoint (its deliveries are dropped).
  Result<store::Delivery> SendTestEvent(const store::App& app, std::string_view id,
                                        const Actor& actor);
  // The endpoint's deliveries, newest first (limit clamped to 1..200).
  Result<std::vector<store::Delivery>> Deliveries(const store::App& app,
                                                  std::string_view endpoint_id, int limit);
  // Queues the event of one of the endpoint's deliveries again, as a new delivery due now,
  // with the same event id (webhook-id) and body: receivers that keep ids see a duplicate.
  Result<store::Delivery> Redeliver(const store::App& app, std::string_view endpoint_id,
                                    std::string_view delivery_id, const Actor& actor);

  // The secrets that sign a delivery sent at `now`: the current one, then the previous one
  // while it overlaps.
  Result<std::vector<std::string>> SigningSecrets(const store::WebhookEndpoint& endpoint,
                                                  UnixMillis now) const;

 private:
  Status Apply(const WebhookInput& input, store::WebhookEndpoint& e, bool adding) const;
  Result<std::string> NewSealedSecret(const store::WebhookEndpoint& e, std::string& secret) const;
  void Record(const store::App& app, const Actor& actor, store::AuditAction action,
              const store::WebhookEndpoint& e, boost::json::object details);

  store::WebhookStore& store_;
  store::DeliveryStore& deliveries_;
  std::string master_key_;
  const Clock& clock_;
  AuditLog* audit_;
};

}  // namespace tessera::services
