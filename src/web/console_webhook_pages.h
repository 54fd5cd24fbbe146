// File: console_webhook_pages.h
// The developer console's webhooks of an app, under /console/apps/{slug}/webhooks: the list of
// its endpoints with a form to add one; an endpoint's page with its settings, a test event, a
// secret rotation, a delete confirmed by a tick, and its delivery log (newest 50, each
// delivery queued again by a button). The signing secret is shown once, when it is made (on
// add and on rotation): POST/redirect/GET through SecretReveals, as the credential pages show
// a new API key or client secret, so a reload never shows it again.
#pragma once

#include <string>
#include <string_view>

#include "base/clock.h"
#include "http/router.h"
#include "web/console_gates.h"
#include "web/console_layout.h"
#include "web/secret_reveals.h"
#include "webhooks/webhook_service.h"

namespace tessera::web {

class ConsoleWebhookPages {
 public:
  // `master_key` seals the one-time reveals (SecretReveals), which any node can then open;
  // `clock` tells whether a rotated-out secret still signs.
  ConsoleWebhookPages(const ConsoleLayout& layout, services::WebhookService& webhooks,
                      std::string_view master_key, const Clock& clock)
      : layout_(layout),
        webhooks_(webhooks),
        clock_(clock),
        reveals_(master_key, clock, layout.urls().secure()) {}
  void Mount(http::Router& router, const ConsoleGates& gates);

 private:
  using Form = http::FormParams;

  http::Response Endpoints(http::Request& req, const AppVisitor& a);
  http::Response CreateEndpoint(http::Request& req, const AppVisitor& a, const Form& form);
  http::Response RenderEndpoints(const http::Request& req, const AppVisitor& a, PageData d,
                                 unsigned status);
  http::Response ShowEndpoint(http::Request& req, const AppVisitor& a);
  http::Response UpdateEndpoint(http::Request& req, const AppVisitor& a, const Form& form);
  http::Response DeleteEndpoint(http::Request& req, const AppVisitor& a, const Form& form);
  http::Response RotateSecret(http::Request& req, const AppVisitor& a, const Form& form);
  http::Response SendTestEvent(http::Request& req, const AppVisitor& a, const Form& form);
  http::Response Redeliver(http::Request& req, const AppVisitor& a, const Form& form);
  http::Response RenderEndpoint(const http::Request& req, const AppVisitor& a,
                                const store::WebhookEndpoint& e, PageData d, unsigned status);

  // The endpoint of the request's {id}, of this app (kNotFound for an id that cannot be one).
  Result<store::WebhookEndpoint> Find(const http::Request& req, const AppVisitor& a);
  std::string EndpointPath(const store::App& app, const std::string& id) const;

  // Who may see a parked secret: this browser session, on this app, for this endpoint.
  static std::string RevealOwner(const AppVisitor& a, std::string_view endpoint_id);
  // The 303 to the endpoint's page that shows `secret` there once.
  http::Response RedirectWithReveal(const AppVisitor& a, const std::string& endpoint_id,
                                    const std::string& secret, std::string_view done);

  const ConsoleLayout& layout_;
  services::WebhookService& webhooks_;
  const Clock& clock_;
  SecretReveals reveals_;
};

}  // namespace tessera::web
