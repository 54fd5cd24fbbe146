// File: webhook_store.h
// Persistence of an app's webhook endpoints (contracts: store/store.h). Their deliveries are
// rows of the HTTP outbox (outbound/delivery_store.h), queued with the audit event of the
// change they report (audit/audit_store.h), or by the webhook service (a test, a redelivery).
#pragma once

#include <string_view>
#include <vector>

#include "base/result.h"
#include "webhooks/webhook_records.h"

namespace tessera::store {

enum class WebhookEndpointUniqueKey { kId };

class WebhookStore {
 public:
  virtual ~WebhookStore() = default;
  virtual Status CreateWebhookEndpoint(const WebhookEndpoint& endpoint) = 0;
  // Every member but id, app_id and created_at; kNotFound when the app has no such endpoint.
  virtual Status UpdateWebhookEndpoint(const WebhookEndpoint& endpoint) = 0;
  virtual Result<WebhookEndpoint> GetWebhookEndpoint(std::string_view app_id,
                                                     std::string_view id) = 0;
  // Oldest first.
  virtual Result<std::vector<WebhookEndpoint>> ListWebhookEndpoints(std::string_view app_id) = 0;
  // kNotFound when the app has no such endpoint. Its deliveries stay in the log; the pending
  // ones are dropped when they come due.
  virtual Status DeleteWebhookEndpoint(std::string_view app_id, std::string_view id) = 0;
};

}  // namespace tessera::store
