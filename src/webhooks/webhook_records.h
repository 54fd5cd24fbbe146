// File: webhook_records.h
// An app's webhook endpoints (webhook_endpoints) and the events they can subscribe to. Events
// reach them as deliveries of the HTTP outbox (outbound/delivery_records.h, kind kWebhook),
// signed as the Standard Webhooks specification says (webhook_signature.h).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"

namespace tessera::store {

struct WebhookEndpoint {
  std::string id;      // "whe_…"
  std::string app_id;
  std::string url;     // https (http on a loopback host), no fragment, no user part
  std::string description;
  // What it hears: event types (kWebhookEventTypes), "user.*"-style families, or "*".
  std::vector<std::string> event_types;
  bool enabled = true;
  // The signing secret ("whsec_" + base64 of 24 random bytes), sealed under the master key
  // with the endpoint id as associated data. A rotation keeps the previous one signing too
  // until previous_secret_expires_at, so a receiver can switch without losing a message.
  std::string secret_sealed;
  std::string previous_secret_sealed;  // "" = none
  UnixMillis previous_secret_expires_at = 0;
  UnixMillis created_at = 0;
  UnixMillis updated_at = 0;
};

struct WebhookEventType {
  std::string_view name;
  std::string_view description;
};

// The events an app can hear of, each made from the audit event of the same change
// (webhooks/webhook_events.cc). "webhook.test" is sent only by the test button.
inline constexpr WebhookEventType kWebhookEventTypes[] = {
    {"user.created", "A user signed up, was created by the app, or first signed in upstream."},
    {"user.updated", "A user's profile, username, email address or roles changed."},
    {"user.deleted", "The app deleted a user."},
    {"user.disabled", "The app disabled a user."},
    {"user.enabled", "The app enabled a disabled user again."},
    {"user.login", "A user signed in."},
    {"user.password_changed", "A user changed their password, or set a new one by a reset link."},
    {"session.revoked", "Sessions ended: a logout, sign-out everywhere, a revoked session."},
    {"mfa.enrolled", "A user added a second factor (authenticator app or passkey)."},
    {"mfa.removed", "A second factor was removed, or the app reset a user's factors."},
    {"mfa.recovery_code_used", "A user signed in with one of their recovery codes."},
};
inline constexpr std::string_view kWebhookTestEvent = "webhook.test";

inline std::span<const WebhookEventType> WebhookEventTypes() { return kWebhookEventTypes; }

// Whether `pattern` (what an endpoint subscribes to) names a known event type: one of
// kWebhookEventTypes, a family "user.*" of at least one of them, or "*".
bool IsWebhookEventPattern(std::string_view pattern);
// Whether an endpoint subscribed to `patterns` hears events of `type`.
bool WebhookHears(std::span<const std::string> patterns, std::string_view type);

}  // namespace tessera::store
