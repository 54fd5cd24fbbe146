#include "audit/audit_log.h"

#include <boost/json.hpp>

#include "base/json_util.h"
#include "base/log.h"
#include "base/request_origin.h"
#include "base/utf8.h"
#include "crypto/random.h"

namespace tessera::services {
namespace json = boost::json;
namespace {

constexpr size_t kMaxShortField = 128;  // ids
constexpr size_t kMaxIp = 64;

// Valid UTF-8 without control characters (log injection), cut at a character boundary:
// the edges already pass such text, but an event may come from anywhere (CLI, old callers).
std::string Bounded(std::string_view s, size_t max) { return DisplayText(s, max); }

// Details must be a JSON object within the limit; anything else is replaced, never cut
// (a cut object would not parse).
std::string BoundedDetails(const std::string& raw) {
  if (raw.empty()) return "{}";
  std::string details = ToValidUtf8(raw);  // a quoted value is repaired, not the event lost
  boost::system::error_code ec;
  json::value v = json::parse(details, ec);
  if (ec || !v.is_object()) return R"({"invalid_details":true})";
  if (details.size() > kAuditMaxDetails) return R"({"truncated":true})";
  return details;
}

}  // namespace

void AuditLog::Record(store::AuditEvent e) {
  if (e.id.empty()) e.id = crypto::NewUuid();
  if (e.at == 0) e.at = clock_.NowMillis();
  e.actor_id = Bounded(e.actor_id, kMaxShortField);
  e.subject_id = Bounded(e.subject_id, kMaxShortField);
  // An event names its own origin, or it is the request's being handled (none outside one).
  const RequestOrigin& origin = CurrentRequestOrigin();
  if (e.ip.empty()) e.ip = origin.ip;
  if (e.user_agent.empty()) e.user_agent = origin.user_agent;
  e.ip = Bounded(e.ip, kMaxIp);
  e.user_agent = Bounded(e.user_agent, kAuditMaxUserAgent);
  e.details_json = BoundedDetails(e.details_json);
  std::vector<store::Delivery> deliveries;
  if (follower_) deliveries = follower_->DeliveriesFor(e);
  Status s = store_.AppendAuditEvent(e, deliveries);
  if (!s.ok()) {
    LogJson(spdlog::level::err, "audit_write_failed",
            {{"action", ToText(e.action)}, {"error", s.ToString()}});
  }
}

Result<std::vector<store::AuditEvent>> AuditLog::List(const store::AuditFilter& filter) {
  return store_.ListAuditEvents(filter);
}

Result<int64_t> AuditLog::ApplyRetention(int64_t retention_days) {
  if (retention_days <= 0) return int64_t{0};
  return store_.DeleteAuditEventsBefore(clock_.NowMillis() - retention_days * 24 * 3600 * 1000);
}

json::object AuditEventObject(const store::AuditEvent& e) {
  json::object o;
  o["id"] = e.id;
  if (e.app_id) {
    o["app_id"] = *e.app_id;
  } else {
    o["app_id"] = nullptr;
  }
  o["at"] = e.at;
  o["action"] = ToText(e.action);
  o["actor_type"] = ToText(e.actor_type);
  o["actor_id"] = e.actor_id;
  o["subject_type"] = ToText(e.subject_type);
  o["subject_id"] = e.subject_id;
  o["ip"] = e.ip;
  o["user_agent"] = e.user_agent;
  o["outcome"] = ToText(e.outcome);
  // Stored details keep any ill-formed byte they hold (ToJsonText repairs it on the way out):
  // the event is never emptied for it.
  auto details = ParseJsonObject(e.details_json, JsonUtf8::kKeep);
  o["details"] = details.ok() ? json::value(std::move(*details)) : json::value(json::object());
  return o;
}

std::string AuditEventJson(const store::AuditEvent& e) { return ToJsonText(AuditEventObject(e)); }

}  // namespace tessera::services

namespace tessera::services {

store::AuditEvent ActorEvent(const Actor& actor, store::AuditAction action) {
  store::AuditEvent e;
  e.action = action;
  e.actor_type = actor.type;
  e.actor_id = actor.id;
  e.ip = actor.ip;
  e.user_agent = actor.user_agent;
  return e;
}

}  // namespace tessera::services
