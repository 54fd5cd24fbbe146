// File: webhook_views.h
// Webhook endpoints and their deliveries as the console API and the CLI's --json show them.
// The signing secret is never part of an endpoint's view: it is shown once, beside it, by
// the answers that make one (create, rotate).
#pragma once

#include <boost/json/object.hpp>

#include "outbound/delivery_records.h"
#include "webhooks/webhook_records.h"

namespace tessera::api {

// id, url, description, event_types, enabled, created_at, updated_at and
// previous_secret_expires_at (null unless a rotated-out secret still signs).
boost::json::object WebhookEndpointView(const store::WebhookEndpoint& endpoint, UnixMillis now);
// id, endpoint_id, event_id, event_type, state, attempts, last_status (null before an
// answer), last_error, created_at, next_attempt_at (null once finished), finished_at, and
// payload: the body sent, as JSON.
boost::json::object WebhookDeliveryView(const store::Delivery& delivery);

}  // namespace tessera::api
