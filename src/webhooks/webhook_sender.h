// File: webhook_sender.h
// Makes the request of a webhook delivery when the delivery worker sends it: the event's body
// as queued, POSTed as JSON to the endpoint's URL as it is now, with the Standard Webhooks
// headers signed at this attempt (webhook-timestamp is now: receivers refuse old ones).
#pragma once

#include "base/clock.h"
#include "outbound/delivery_worker.h"
#include "webhooks/webhook_service.h"
#include "webhooks/webhook_store.h"

namespace tessera::services {

class WebhookSender : public DeliveryPreparer {
 public:
  WebhookSender(store::WebhookStore& store, const WebhookService& webhooks, const Clock& clock)
      : store_(store), webhooks_(webhooks), clock_(clock) {}

  // nullopt (dropped) when the endpoint was deleted or disabled, or no longer hears the
  // event's type; an error when its secret cannot be unsealed (retried: the operator may
  // restore the master key).
  Result<std::optional<OutboundRequest>> Prepare(const store::Delivery& delivery) override;

 private:
  store::WebhookStore& store_;
  const WebhookService& webhooks_;
  const Clock& clock_;
};

}  // namespace tessera::services
