// File: console_webhooks_api.h
// The console API's webhook endpoints of an app, under /api/console/apps/{slug}/webhooks:
// list (with the event types there are), add, read, change, delete, rotate the signing
// secret, send a test event, read an endpoint's deliveries and queue one again. The signing
// secret ("whsec_…") is shown only by the answers that make one (add, rotate).
#pragma once

#include "api/console_caller.h"
#include "base/clock.h"
#include "http/router.h"
#include "webhooks/webhook_service.h"

namespace tessera::api {

class ConsoleWebhooksApi {
 public:
  // `clock`: the now an endpoint's view is made at (whether a rotated-out secret still signs).
  ConsoleWebhooksApi(const ConsoleCaller& caller, services::WebhookService& webhooks,
                     const Clock& clock)
      : caller_(caller), webhooks_(webhooks), clock_(clock) {}
  void Mount(http::Router& router);

 private:
  http::Response List(http::Request& req);
  http::Response Create(http::Request& req);
  http::Response Get(http::Request& req);
  http::Response Patch(http::Request& req);
  http::Response Delete(http::Request& req);
  http::Response RotateSecret(http::Request& req);
  http::Response SendTest(http::Request& req);
  http::Response Deliveries(http::Request& req);
  http::Response Redeliver(http::Request& req);

  const ConsoleCaller& caller_;
  services::WebhookService& webhooks_;
  const Clock& clock_;
};

}  // namespace tessera::api
