// File: audit_records.h
// The append-only audit log's events and queries.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"

namespace tessera::store {

// One entry of the append-only audit log: who (actor) did what (action) to whom (subject),
// from where, with what outcome. Never holds a secret (password, token, hash, code).
struct AuditEvent {
  std::string id{};                     // UUIDv7
  std::optional<std::string> app_id{};  // none for server-wide events
  UnixMillis at = 0;
  std::string action{};  // "user.signup", "user.login_failed", "api_token.revoked", …
  std::string actor_type = "system";  // "user" | "client" | "admin" | "system" | "anonymous"
  std::string actor_id{};
  std::string subject_type{};  // "user", "session", "api_token", "oauth_client", "app", …
  std::string subject_id{};
  std::string ip{};
  std::string user_agent{};
  std::string outcome = "success";  // "success" | "failure"
  std::string details_json = "{}";  // a small JSON object
};

// What ListAuditEvents returns: newest first (at, then id, descending). `cursor` is the id
// of the last event of the previous page (keyset paging).
struct AuditFilter {
  std::optional<std::string> app_id{};
  std::optional<std::string> action{};
  std::optional<std::string> actor_id{};
  std::optional<std::string> subject_id{};
  std::optional<UnixMillis> since{};  // at >= since
  std::optional<UnixMillis> until{};  // at < until
  std::optional<std::string> cursor{};
  int limit = 50;  // 1..200
};

}  // namespace tessera::store
