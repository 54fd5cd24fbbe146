#include "api/webhook_views.h"

#include <boost/json.hpp>

#include "api/views.h"
#include "base/enum_text.h"

namespace tessera::api {
namespace json = boost::json;

json::object WebhookEndpointView(const store::WebhookEndpoint& e, UnixMillis now) {
  json::array types;
  for (const std::string& t : e.event_types) types.emplace_back(t);
  const bool overlapping =
      !e.previous_secret_sealed.empty() && e.previous_secret_expires_at > now;
  return json::object{
      {"id", e.id},
      {"url", e.url},
      {"description", e.description},
      {"event_types", std::move(types)},
      {"enabled", e.enabled},
      {"created_at", Rfc3339(e.created_at)},
      {"updated_at", Rfc3339(e.updated_at)},
      {"previous_secret_expires_at",
       overlapping ? json::value(Rfc3339(e.previous_secret_expires_at)) : json::value(nullptr)},
  };
}

json::object WebhookDeliveryView(const store::Delivery& d) {
  boost::system::error_code ec;
  json::value payload = json::parse(d.payload, ec);
  if (ec) payload = json::value(d.payload);  // never expected: the body is made as JSON
  const bool pending = d.state == store::DeliveryState::kPending;
  return json::object{
      {"id", d.id},
      {"endpoint_id", d.endpoint_id},
      {"event_id", d.event_id},
      {"event_type", d.event_type},
      {"state", ToText(d.state)},
      {"attempts", d.attempts},
      {"last_status", d.last_status ? json::value(d.last_status) : json::value(nullptr)},
      {"last_error", d.last_error},
      {"created_at", Rfc3339(d.created_at)},
      {"next_attempt_at", pending ? json::value(Rfc3339(d.next_attempt_at)) : json::value(nullptr)},
      {"finished_at", OptionalTime(d.finished_at)},
      {"payload", std::move(payload)},
  };
}

}  // namespace tessera::api
