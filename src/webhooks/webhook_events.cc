#include "webhooks/webhook_events.h"

#include <boost/json.hpp>

#include "accounts/user_json.h"
#include "base/enum_text.h"
#include "base/log.h"
#include "base/time_format.h"
#include "crypto/encoding.h"
#include "crypto/random.h"

namespace tessera::services {
namespace json = boost::json;
namespace {

struct EventOfAction {
  store::AuditAction action;
  std::string_view type;
};

// The one table of which audited change an app hears of as which event.
constexpr EventOfAction kEventOfAction[] = {
    {store::AuditAction::kUserSignup, "user.created"},
    {store::AuditAction::kUserCreated, "user.created"},
    {store::AuditAction::kUserUpdated, "user.updated"},
    {store::AuditAction::kUserProfileUpdated, "user.updated"},
    {store::AuditAction::kUserEmailChanged, "user.updated"},
    {store::AuditAction::kEmailVerified, "user.updated"},
    {store::AuditAction::kUserDeleted, "user.deleted"},
    {store::AuditAction::kUserDisabled, "user.disabled"},
    {store::AuditAction::kUserEnabled, "user.enabled"},
    {store::AuditAction::kUserLogin, "user.login"},
    {store::AuditAction::kUserPasswordChanged, "user.password_changed"},
    {store::AuditAction::kUserPasswordReset, "user.password_changed"},
    {store::AuditAction::kSessionLogout, "session.revoked"},
    {store::AuditAction::kSessionLogoutAll, "session.revoked"},
    {store::AuditAction::kSessionRevoked, "session.revoked"},
    {store::AuditAction::kSessionRefreshReuse, "session.revoked"},
    {store::AuditAction::kUserSessionsRevoked, "session.revoked"},
    {store::AuditAction::kUserAccountSecured, "session.revoked"},
    {store::AuditAction::kMfaFactorEnrolled, "mfa.enrolled"},
    {store::AuditAction::kMfaFactorRemoved, "mfa.removed"},
    {store::AuditAction::kMfaReset, "mfa.removed"},
    {store::AuditAction::kMfaRecoveryCodeUsed, "mfa.recovery_code_used"},
};

// The user an event is about: its subject, or the user who acted (a session's end).
std::string_view UserOf(const store::AuditEvent& e) {
  if (e.subject_type == store::AuditSubjectType::kUser) return e.subject_id;
  if (e.actor_type == store::AuditActorType::kUser) return e.actor_id;
  return {};
}

constexpr char kBase32[] = "abcdefghijklmnopqrstuvwxyz234567";

}  // namespace

std::optional<std::string_view> WebhookEventTypeOf(const store::AuditEvent& e) {
  if (e.outcome != store::AuditOutcome::kSuccess || !e.app_id) return std::nullopt;
  for (const EventOfAction& row : kEventOfAction) {
    if (row.action == e.action) return row.type;
  }
  return std::nullopt;
}

std::string WebhookEventBody(std::string_view type, UnixMillis at, const json::object& data) {
  // Milliseconds: events of the same second still sort (ordering is not promised; a
  // receiver orders by this).
  std::string timestamp = FormatUtc(at, "%Y-%m-%dT%H:%M:%S");
  char ms[8];
  std::snprintf(ms, sizeof ms, ".%03dZ", static_cast<int>(at % 1000));
  timestamp += ms;
  return json::serialize(json::object{{"type", type}, {"timestamp", timestamp}, {"data", data}});
}

std::string NewWebhookEventId() {
  std::string id = "msg_";
  for (unsigned char b : crypto::RandomBytes(26)) id += kBase32[b & 31];
  return id;
}

store::Delivery WebhookDelivery(std::string_view app_id, std::string_view endpoint_id,
                                std::string_view event_id, std::string_view type,
                                std::string payload, UnixMillis at) {
  store::Delivery d;
  d.id = crypto::NewUuid();
  d.app_id = std::string(app_id);
  d.kind = store::DeliveryKind::kWebhook;
  d.endpoint_id = std::string(endpoint_id);
  d.event_id = std::string(event_id);
  d.event_type = std::string(type);
  d.payload = std::move(payload);
  d.created_at = d.next_attempt_at = at;
  return d;
}

json::object WebhookEvents::DataOf(const store::AuditEvent& e) {
  json::object data;
  const std::string user_id(UserOf(e));
  if (!user_id.empty()) {
    // The user as they are now (just after the change); a deleted one by id alone.
    Result<store::User> user = users_.GetUser(*e.app_id, user_id);
    data["user"] = user.ok() ? json::value(UserJson(*user)) : json::value(json::object{{"id", user_id}});
  }
  if (e.subject_type == store::AuditSubjectType::kSession) data["session_id"] = e.subject_id;
  data["actor"] = json::object{{"type", ToText(e.actor_type)}, {"id", e.actor_id}};
  boost::system::error_code ec;
  json::value details = json::parse(e.details_json, ec);
  data["details"] = !ec && details.is_object() ? details : json::object();
  data["audit_event_id"] = e.id;
  return data;
}

std::vector<store::Delivery> WebhookEvents::DeliveriesFor(const store::AuditEvent& e) {
  std::vector<store::Delivery> out;
  std::optional<std::string_view> type = WebhookEventTypeOf(e);
  if (!type) return out;
  Result<std::vector<store::WebhookEndpoint>> endpoints = endpoints_.ListWebhookEndpoints(*e.app_id);
  if (!endpoints.ok()) {
    LogJson(spdlog::level::err, "webhook_event_lost",
            {{"app", *e.app_id}, {"type", std::string(*type)},
             {"error", endpoints.status().ToString()}});
    return out;
  }
  std::string body;
  std::string event_id;
  for (const store::WebhookEndpoint& endpoint : *endpoints) {
    if (!endpoint.enabled || !store::WebhookHears(endpoint.event_types, *type)) continue;
    if (body.empty()) {  // made once, for the first endpoint that hears it
      body = WebhookEventBody(*type, e.at, DataOf(e));
      event_id = NewWebhookEventId();
    }
    out.push_back(WebhookDelivery(*e.app_id, endpoint.id, event_id, *type, body, e.at));
  }
  return out;
}

}  // namespace tessera::services
