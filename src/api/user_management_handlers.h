// File: user_management_handlers.h
// What the management APIs share: the handlers of an app's user routes (the server-to-server
// API under {issuer}/api/users… and the console API under /api/console/apps/{slug}/users…
// take and give the same JSON), the audit-event query (both APIs and the operators'), and
// the strict reading of bodies and queries these APIs need (booleans, string arrays, nested
// objects, known query parameters only).
#pragma once

#include <boost/json/object.hpp>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/json_body.h"
#include "base/result.h"
#include "http/message.h"
#include "http/problem.h"
#include "services/audit_log.h"
#include "services/user_management_service.h"

namespace tessera::api {

// A strict reader of a JSON object: each member of the expected type, every problem collected
// (field names of a nested object read with Nested() are "parent.member"), and no member the
// endpoint did not ask for. Like JsonBody, with booleans, arrays of strings and nested objects.
class StrictObject {
 public:
  explicit StrictObject(boost::json::object obj, std::string prefix = "")
      : obj_(std::move(obj)), prefix_(std::move(prefix)) {}

  bool Has(std::string_view name) const { return obj_.contains(name); }
  std::optional<std::string> String(std::string_view name, bool required = false);
  // Present-and-null is the inner nullopt.
  std::optional<std::optional<std::string>> NullableString(std::string_view name);
  std::optional<bool> Bool(std::string_view name);
  std::optional<int64_t> Integer(std::string_view name);
  std::optional<boost::json::object> Object(std::string_view name);
  std::optional<std::vector<std::string>> StringArray(std::string_view name);
  // A reader of the object member `name` (nullopt when absent or not an object, which is
  // reported); call Absorb() with it when done, so its errors and unknown members count.
  std::optional<StrictObject> Nested(std::string_view name);
  void Absorb(StrictObject& nested);
  void Fail(std::string_view name, std::string message);

  // Type errors, missing members and unknown members; OK when there are none.
  Status Finish();

 private:
  const boost::json::value* Take(std::string_view name, bool required);
  std::string Field(std::string_view name) const { return prefix_ + std::string(name); }
  std::vector<FieldError> TakeErrors();

  boost::json::object obj_;
  std::string prefix_;
  std::vector<std::string> seen_;
  std::vector<FieldError> errors_;
};

// Reads the body strictly (415 for another media type, 400 for malformed JSON, a non-object,
// wrong types or unknown members) and runs `read` on it; the response to send on failure.
// An empty body reads as {} when `allow_empty`.
std::optional<http::Response> ReadStrict(const http::Request& req,
                                         const std::function<void(StrictObject&)>& read,
                                         bool allow_empty = false);

using QueryParams = std::map<std::string, std::string>;
// The query string's parameters; 400 for malformed escapes, a repeated parameter or one that
// is not in `known`.
std::optional<http::Response> ReadQuery(const http::Request& req,
                                        const std::vector<std::string_view>& known,
                                        QueryParams& out);
// `limit` of a query: an integer in 1..max (default when absent); kInvalidArgument otherwise.
Result<int> LimitOf(const QueryParams& query, int default_limit, int max_limit);

// GET …/audit-events: the filters every audit query takes (action, actor_id, subject_id,
// since, until — epoch milliseconds or RFC 3339 —, cursor, limit 1..200, default 50).
inline const std::vector<std::string_view> kAuditQuery = {
    "action", "actor_id", "subject_id", "since", "until", "cursor", "limit"};
Result<store::AuditFilter> AuditFilterOf(const QueryParams& query);
// {"events": [...], "next_cursor": id|null}, newest first.
http::Response AuditEventsResponse(services::AuditLog& audit, const store::AuditFilter& filter);

// The user routes of the management APIs, within an app the caller is entitled to (the
// caller has resolved it and checked access), acting as `actor`. The user id is the `id`
// route parameter. Same JSON for the server API and the console API.
class UserManagementHandlers {
 public:
  explicit UserManagementHandlers(services::UserManagementService& users) : users_(users) {}

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

 private:
  services::UserManagementService& users_;
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
