// File: audit_log.h
// The audit log: append-only security events (who did what to whom, from where, with what
// outcome) recorded where they happen. Recording is best effort: a failed write is logged
// and never fails the request. Fields are bounded here; callers never pass secrets
// (passwords, tokens, hashes, codes) — ids, addresses and reasons only.
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "audit/audit_records.h"
#include "audit/audit_store.h"

namespace tessera::services {

// Field limits applied by Record.
inline constexpr size_t kAuditMaxUserAgent = 256;
inline constexpr size_t kAuditMaxDetails = 2048;

// Who hears of an audited change besides the log: the deliveries an event gives (an app's
// webhooks: webhooks/webhook_events.h) are queued in the same transaction as the event.
class AuditFollower {
 public:
  virtual ~AuditFollower() = default;
  // Never fails: an event whose deliveries cannot be made is still recorded.
  virtual std::vector<store::Delivery> DeliveriesFor(const store::AuditEvent& event) = 0;
};

class AuditLog {
 public:
  AuditLog(store::AuditStore& store, const Clock& clock) : store_(store), clock_(clock) {}
  // Set once, before the server serves (app/core_services.cc).
  void SetFollower(AuditFollower* follower) { follower_ = follower; }

  // Fills id (UUIDv7) and at (now) when empty, ip and user_agent from the request being
  // handled (base/request_origin.h) when the event names none, bounds the fields and appends
  // the event.
  void Record(store::AuditEvent event);
  // Newest first (see store::AuditStore::ListAuditEvents).
  Result<std::vector<store::AuditEvent>> List(const store::AuditFilter& filter);
  // Deletes events older than `retention_days` (<= 0 keeps everything); returns how many.
  Result<int64_t> ApplyRetention(int64_t retention_days);

 private:
  store::AuditStore& store_;
  const Clock& clock_;
  AuditFollower* follower_ = nullptr;
};

// Where a request comes from, as events and sessions record it.
struct ClientInfo {
  std::string ip;
  std::string user_agent;
};

// Who acts, as the audit log records it: a console developer (kDeveloper), an operator
// (kAdmin), an app's backend by its API key (kApiKey), the CLI (kAdmin, id "cli").
struct Actor {
  store::AuditActorType type = store::AuditActorType::kSystem;
  std::string id;
  std::string ip;
  std::string user_agent;
};

// The operator at the command line.
inline Actor CliActor() {
  Actor a;
  a.type = store::AuditActorType::kAdmin;
  a.id = "cli";
  return a;
}
// The server itself (apps it creates at start).
inline Actor SystemActor() { return Actor{}; }

// An event with the actor's fields filled in.
store::AuditEvent ActorEvent(const Actor& actor, store::AuditAction action);

// Records through `log` when there is one (services take an optional AuditLog*).
inline void Audit(AuditLog* log, store::AuditEvent event) {
  if (log) log->Record(std::move(event));
}

// One event as a JSON object (the APIs' audit events), and as one line of JSON text, always
// valid UTF-8 (the CLI's --json lines). Every field is kept whatever bytes an old row holds.
boost::json::object AuditEventObject(const store::AuditEvent& event);
std::string AuditEventJson(const store::AuditEvent& event);

}  // namespace tessera::services
