#include "webhooks/webhook_service.h"

#include <algorithm>
#include <boost/json.hpp>

#include "base/strings.h"
#include "base/uri_rules.h"
#include "base/utf8.h"
#include "crypto/aead.h"
#include "crypto/encoding.h"
#include "crypto/random.h"
#include "webhooks/webhook_events.h"
#include "webhooks/webhook_signature.h"

namespace tessera::services {
namespace json = boost::json;
namespace {

constexpr size_t kMaxEventTypes = 32;

std::optional<std::string> UrlProblem(std::string_view url) {
  if (url.empty()) return "is required";
  if (url.size() > kMaxWebhookUrlBytes) return "is longer than 2000 bytes";
  // https, or http on a loopback host (a receiver under development); which addresses may be
  // reached is the sender's rule, judged after DNS (--outbound-allow-private-hosts).
  return ReceiverUrlProblem(url, /*allow_http=*/false);
}

std::optional<std::string> EventTypesProblem(const std::vector<std::string>& types) {
  if (types.empty()) return "choose at least one event type";
  if (types.size() > kMaxEventTypes) return "at most 32 event types";
  for (const std::string& t : types) {
    if (!store::IsWebhookEventPattern(t)) {
      return "\"" + DisplayText(t, 60) + "\" is no event type (e.g. user.created, user.*, *)";
    }
  }
  return std::nullopt;
}

// Sorted, without duplicates: the same subscription reads the same wherever it is shown.
std::vector<std::string> Normalized(std::vector<std::string> types) {
  std::sort(types.begin(), types.end());
  types.erase(std::unique(types.begin(), types.end()), types.end());
  return types;
}

}  // namespace

Status WebhookService::Apply(const WebhookInput& in, store::WebhookEndpoint& e,
                             bool adding) const {
  std::vector<FieldError> errors;
  if (in.url || adding) {
    std::string url = Trim(in.url.value_or(""));
    if (auto problem = UrlProblem(url)) errors.push_back({"url", *problem});
    e.url = url;
  }
  if (in.description) {
    std::string d = Trim(*in.description);
    auto length = Utf8Length(d);
    if (!length || *length > kMaxWebhookDescriptionChars || DisplayText(d, d.size()) != d) {
      errors.push_back({"description", "at most 200 characters of text, on one line"});
    }
    e.description = d;
  }
  if (in.event_types || adding) {
    std::vector<std::string> types = in.event_types.value_or(std::vector<std::string>{});
    if (auto problem = EventTypesProblem(types)) errors.push_back({"event_types", *problem});
    e.event_types = Normalized(std::move(types));
  }
  if (in.enabled) e.enabled = *in.enabled;
  if (!errors.empty()) return ValidationError(std::move(errors));
  return OkStatus();
}

Result<std::string> WebhookService::NewSealedSecret(const store::WebhookEndpoint& e,
                                                    std::string& secret) const {
  secret = NewWebhookSecret();
  TESSERA_ASSIGN_OR_RETURN(std::string sealed, crypto::AeadSeal(master_key_, secret, e.id));
  return crypto::Base64Encode(sealed);
}

Result<WebhookEndpointWithSecret> WebhookService::Create(const store::App& app,
                                                         const WebhookInput& input,
                                                         const Actor& actor) {
  store::WebhookEndpoint e;
  e.id = "whe_" + crypto::NewUuid();
  e.app_id = app.id;
  TESSERA_RETURN_IF_ERROR(Apply(input, e, /*adding=*/true));
  TESSERA_ASSIGN_OR_RETURN(auto existing, store_.ListWebhookEndpoints(app.id));
  if (existing.size() >= kMaxWebhookEndpointsPerApp) {
    return FailedPreconditionError("an app may have at most 20 webhook endpoints");
  }
  WebhookEndpointWithSecret out;
  TESSERA_ASSIGN_OR_RETURN(e.secret_sealed, NewSealedSecret(e, out.secret));
  e.created_at = e.updated_at = clock_.NowMillis();
  TESSERA_RETURN_IF_ERROR(store_.CreateWebhookEndpoint(e));
  json::array types;
  for (const std::string& t : e.event_types) types.emplace_back(t);
  Record(app, actor, store::AuditAction::kWebhookCreated, e,
         {{"url", e.url}, {"event_types", std::move(types)}});
  out.endpoint = std::move(e);
  return out;
}

Result<store::WebhookEndpoint> WebhookService::Update(const store::App& app, std::string_view id,
                                                      const WebhookInput& input,
                                                      const Actor& actor) {
  TESSERA_ASSIGN_OR_RETURN(store::WebhookEndpoint e, store_.GetWebhookEndpoint(app.id, id));
  const store::WebhookEndpoint before = e;
  TESSERA_RETURN_IF_ERROR(Apply(input, e, /*adding=*/false));
  json::array changed;
  if (e.url != before.url) changed.emplace_back("url");
  if (e.description != before.description) changed.emplace_back("description");
  if (e.event_types != before.event_types) changed.emplace_back("event_types");
  if (e.enabled != before.enabled) changed.emplace_back("enabled");
  if (changed.empty()) return e;
  e.updated_at = clock_.NowMillis();
  TESSERA_RETURN_IF_ERROR(store_.UpdateWebhookEndpoint(e));
  Record(app, actor, store::AuditAction::kWebhookUpdated, e,
         {{"changed", std::move(changed)}, {"enabled", e.enabled}});
  return e;
}

Status WebhookService::Delete(const store::App& app, std::string_view id, const Actor& actor) {
  TESSERA_ASSIGN_OR_RETURN(store::WebhookEndpoint e, store_.GetWebhookEndpoint(app.id, id));
  TESSERA_RETURN_IF_ERROR(store_.DeleteWebhookEndpoint(app.id, id));
  Record(app, actor, store::AuditAction::kWebhookDeleted, e, {{"url", e.url}});
  return OkStatus();
}

Result<std::vector<store::WebhookEndpoint>> WebhookService::List(const store::App& app) {
  return store_.ListWebhookEndpoints(app.id);
}

Result<store::WebhookEndpoint> WebhookService::Get(const store::App& app, std::string_view id) {
  return store_.GetWebhookEndpoint(app.id, id);
}

Result<WebhookEndpointWithSecret> WebhookService::RotateSecret(const store::App& app,
                                                               std::string_view id,
                                                               const Actor& actor) {
  TESSERA_ASSIGN_OR_RETURN(store::WebhookEndpoint e, store_.GetWebhookEndpoint(app.id, id));
  const UnixMillis now = clock_.NowMillis();
  WebhookEndpointWithSecret out;
  // The secret being replaced signs beside the new one for a day; one rotated out before
  // (a second rotation within the day) stops signing now.
  e.previous_secret_sealed = e.secret_sealed;
  e.previous_secret_expires_at = now + kWebhookSecretOverlapMs;
  TESSERA_ASSIGN_OR_RETURN(e.secret_sealed, NewSealedSecret(e, out.secret));
  e.updated_at = now;
  TESSERA_RETURN_IF_ERROR(store_.UpdateWebhookEndpoint(e));
  Record(app, actor, store::AuditAction::kWebhookSecretRotated, e, {});
  out.endpoint = std::move(e);
  return out;
}

Result<store::Delivery> WebhookService::SendTestEvent(const store::App& app, std::string_view id,
                                                      const Actor& actor) {
  TESSERA_ASSIGN_OR_RETURN(store::WebhookEndpoint e, store_.GetWebhookEndpoint(app.id, id));
  if (!e.enabled) return FailedPreconditionError("the endpoint is disabled: enable it first");
  const UnixMillis now = clock_.NowMillis();
  store::Delivery d = WebhookDelivery(
      app.id, e.id, NewWebhookEventId(), store::kWebhookTestEvent,
      WebhookEventBody(store::kWebhookTestEvent, now,
                       json::object{{"endpoint_id", e.id},
                                    {"message", "A test event from Tessera: your endpoint is reachable."}}),
      now);
  TESSERA_RETURN_IF_ERROR(deliveries_.QueueDelivery(d));
  Record(app, actor, store::AuditAction::kWebhookTested, e, {{"delivery", d.id}});
  return d;
}

Result<std::vector<store::Delivery>> WebhookService::Deliveries(const store::App& app,
                                                                std::string_view endpoint_id,
                                                                int limit) {
  TESSERA_RETURN_IF_ERROR(store_.GetWebhookEndpoint(app.id, endpoint_id).status());
  return deliveries_.ListEndpointDeliveries(app.id, endpoint_id, std::clamp(limit, 1, 200));
}

Result<store::Delivery> WebhookService::Redeliver(const store::App& app,
                                                  std::string_view endpoint_id,
                                                  std::string_view delivery_id,
                                                  const Actor& actor) {
  TESSERA_ASSIGN_OR_RETURN(store::WebhookEndpoint e,
                           store_.GetWebhookEndpoint(app.id, endpoint_id));
  TESSERA_ASSIGN_OR_RETURN(store::Delivery original, deliveries_.GetDelivery(app.id, delivery_id));
  if (original.kind != store::DeliveryKind::kWebhook || original.endpoint_id != e.id) {
    return NotFoundError("delivery");
  }
  if (!e.enabled) return FailedPreconditionError("the endpoint is disabled: enable it first");
  store::Delivery d = WebhookDelivery(app.id, e.id, original.event_id, original.event_type,
                                      original.payload, clock_.NowMillis());
  TESSERA_RETURN_IF_ERROR(deliveries_.QueueDelivery(d));
  Record(app, actor, store::AuditAction::kWebhookRedelivered, e,
         {{"delivery", d.id}, {"event", d.event_id}, {"of", original.id}});
  return d;
}

Result<std::vector<std::string>> WebhookService::SigningSecrets(const store::WebhookEndpoint& e,
                                                                UnixMillis now) const {
  std::vector<std::string> out;
  auto open = [&](const std::string& sealed_b64) -> Status {
    auto sealed = crypto::Base64Decode(sealed_b64);
    if (!sealed) return InternalError("the signing secret of webhook " + e.id + " is corrupt");
    auto secret = crypto::AeadOpen(master_key_, *sealed, e.id);
    if (!secret.ok()) {
      return FailedPreconditionError("cannot unseal the signing secret of webhook " + e.id +
                                     " (was the master key changed?)");
    }
    out.push_back(std::move(*secret));
    return OkStatus();
  };
  TESSERA_RETURN_IF_ERROR(open(e.secret_sealed));
  if (!e.previous_secret_sealed.empty() && e.previous_secret_expires_at > now) {
    TESSERA_RETURN_IF_ERROR(open(e.previous_secret_sealed));
  }
  return out;
}

void WebhookService::Record(const store::App& app, const Actor& actor, store::AuditAction action,
                            const store::WebhookEndpoint& e, json::object details) {
  store::AuditEvent ev = ActorEvent(actor, action);
  ev.app_id = app.id;
  ev.subject_type = store::AuditSubjectType::kWebhookEndpoint;
  ev.subject_id = e.id;
  ev.details_json = json::serialize(details);
  Audit(audit_, std::move(ev));
}

}  // namespace tessera::services
