// File: user_management_handlers.h
// What the management APIs share: the handlers of an app's user routes (the server-to-server
// API under {issuer}/api/users… and the console API under /api/console/apps/{slug}/users…
// take and give the same JSON) and the audit-event query (both APIs and the operators').
#pragma once

#include <boost/json/object.hpp>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/query.h"
#include "base/result.h"
#include "http/message.h"
#include "http/problem.h"
#include "audit/audit_log.h"
#include "management/user_management_service.h"
#include "mfa/factor_service.h"

namespace tessera::api {

// GET …/audit-events: the filters every audit query takes (action, actor_id, subject_id,
// since, until — epoch milliseconds or RFC 3339 —, cursor, limit 1..200, default 50).
inline const std::vector<std::string_view> kAuditQuery = {
    "action", "actor_id", "subject_id", "since", "until", "cursor", "limit"};
Result<store::AuditFilter> AuditFilterOf(const http::QueryParams& query);
// {"events": [...], "next_cursor": id|null}, newest first.
http::Response AuditEventsResponse(services::AuditLog& audit, const store::AuditFilter& filter);

// The user routes of the management APIs, within an app the caller is entitled to (the
// caller has resolved it and checked access), acting as `actor`. The user id is the `id`
// route parameter. Same JSON for the server API and the console API.
class UserManagementHandlers {
 public:
  explicit UserManagementHandlers(services::UserManagementService& users,
                                  services::FactorService* factors = nullptr)
      : users_(users), factors_(factors) {}

  // POST /users {email, password?, username?, email_verified?, profile?, roles?,
  // issue_tokens?} → 201 {"user", "tokens"?}; 409 for a taken email or username.
  http::Response Create(const http::Request& req, const store::App& app,
                        const services::Actor& actor);
  // GET /users?search=&cursor=&limit= → {"users", "next_cursor", "total"}.
  http::Response List(const http::Request& req, const store::App& app);
  // GET /users/{id} → {"user", "sessions"}.
  http::Response Get(const http::Request& req, const store::App& app);
  // PATCH /users/{id} {email?, username? (null removes), email_verified?, disabled?, roles?,
  // profile? (null members remove)} → 200 user.
  http::Response Update(const http::Request& req, const store::App& app,
                        const services::Actor& actor);
  // DELETE /users/{id} → 204.
  http::Response Delete(const http::Request& req, const store::App& app,
                        const services::Actor& actor);
  // POST /users/{id}/tokens → 200 token response (with the user).
  http::Response IssueTokens(const http::Request& req, const store::App& app,
                             const services::Actor& actor);
  // DELETE /users/{id}/sessions → 200 {"revoked": n}.
  http::Response SignOutEverywhere(const http::Request& req, const store::App& app,
                                   const services::Actor& actor);
  // POST /users/{id}/password-reset → 202 {"status": "accepted"}.
  http::Response SendPasswordReset(const http::Request& req, const store::App& app,
                                   const services::Actor& actor);
  // GET /users/{id}/mfa → {"factors", "recovery_codes_left"} (404 without factors support).
  http::Response Factors(const http::Request& req, const store::App& app);
  // DELETE /users/{id}/mfa → 200 {"factors_removed": n}: every factor and recovery code of
  // the user goes (a lost device); audited, and mailed to the user.
  http::Response ResetFactors(const http::Request& req, const store::App& app,
                              const services::Actor& actor);

 private:
  services::UserManagementService& users_;
  services::FactorService* factors_;  // null: the second-factor routes answer 404
};

// An id from the path that could name a stored record: 1-128 bytes of UTF-8 without NUL
// (PostgreSQL refuses anything else; such an id is answered like an unknown one, 404).
bool IsPlausibleId(std::string_view id);

// A 401 for a failed Authorization header (RFC 6750 §3): realm is the issuer the caller
// talked to; `error="invalid_token"` when a credential was presented. Other statuses (the
// database down, say) are answered as they are.
http::Response AuthenticationFailed(const Status& status, std::string_view authorization,
                                    const std::string& realm);

}  // namespace tessera::api
