#include "webhooks/webhook_sender.h"

#include "webhooks/webhook_signature.h"

namespace tessera::services {

Result<std::optional<OutboundRequest>> WebhookSender::Prepare(const store::Delivery& d) {
  Result<store::WebhookEndpoint> endpoint = store_.GetWebhookEndpoint(d.app_id, d.endpoint_id);
  if (endpoint.status().IsNotFound()) return std::optional<OutboundRequest>();
  TESSERA_RETURN_IF_ERROR(endpoint.status());
  // A test event goes to its endpoint whatever it subscribes to.
  const bool hears = d.event_type == store::kWebhookTestEvent ||
                     store::WebhookHears(endpoint->event_types, d.event_type);
  if (!endpoint->enabled || !hears) return std::optional<OutboundRequest>();

  const UnixMillis now = clock_.NowMillis();
  TESSERA_ASSIGN_OR_RETURN(std::vector<std::string> secrets,
                           webhooks_.SigningSecrets(*endpoint, now));
  const int64_t timestamp = now / 1000;
  std::string signatures;
  for (const std::string& secret : secrets) {
    std::optional<std::string> sig = WebhookSignature(secret, d.event_id, timestamp, d.payload);
    if (!sig) return InternalError("the signing secret of webhook " + endpoint->id + " is malformed");
    signatures += (signatures.empty() ? "" : " ") + *sig;
  }
  OutboundRequest request;
  request.method = "POST";
  request.url = endpoint->url;
  request.headers = {{"Content-Type", "application/json"},
                     {"webhook-id", d.event_id},
                     {"webhook-timestamp", std::to_string(timestamp)},
                     {"webhook-signature", signatures}};
  request.body = d.payload;
  return std::optional<OutboundRequest>(std::move(request));
}

}  // namespace tessera::services
