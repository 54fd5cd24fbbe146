#include "http/problem.h"

#include <boost/json.hpp>

#include <algorithm>

namespace tessera::http {
namespace {

struct Mapping {
  unsigned status;
  std::string_view type;
  std::string_view title;
};

Mapping MapStatus(const Status& s) {
  switch (s.code()) {
    case StatusCode::kInvalidArgument:
      return s.field_errors().empty()
                 ? Mapping{400, "malformed-request", "Malformed request"}
                 : Mapping{400, "validation-error", "Validation failed"};
    case StatusCode::kNotFound: return {404, "not-found", "Not found"};
    case StatusCode::kAlreadyExists: return {409, "conflict", "Already exists"};
    case StatusCode::kAborted: return {409, "conflict", "Conflicting update, retry"};
    case StatusCode::kFailedPrecondition: return {409, "conflict", "Not allowed in this state"};
    case StatusCode::kUnauthenticated: return {401, "unauthorized", "Unauthorized"};
    case StatusCode::kPermissionDenied: return {403, "forbidden", "Forbidden"};
    case StatusCode::kResourceExhausted: return {503, "overloaded", "Server busy, retry later"};
    case StatusCode::kRateLimited: return {429, "rate-limited", "Too many attempts"};
    case StatusCode::kUnavailable: return {503, "unavailable", "Service unavailable"};
    default: return {500, "internal", "Internal error"};
  }
}

boost::json::object ProblemBody(unsigned http_status, std::string_view type,
                                std::string_view title, std::string_view detail) {
  boost::json::object body{{"type", "urn:tessera:problem:" + std::string(type)},
                           {"title", title},
                           {"status", http_status}};
  if (!detail.empty()) body["detail"] = detail;
  return body;
}

Response ProblemJson(unsigned http_status, const boost::json::object& body) {
  Response r = JsonResponse(http_status, body);
  r.content_type = "application/problem+json";
  return r;
}

}  // namespace

Response Problem(unsigned http_status, std::string_view type, std::string_view title,
                 std::string_view detail) {
  return ProblemJson(http_status, ProblemBody(http_status, type, title, detail));
}

Response ProblemResponse(const Status& status) {
  Mapping m = MapStatus(status);
  bool expose = m.status < 500;
  boost::json::object body = ProblemBody(m.status, m.type, m.title, expose ? status.message() : "");
  if (!status.field_errors().empty()) {
    boost::json::array errors;
    for (const auto& e : status.field_errors()) {
      errors.push_back(boost::json::object{{"field", e.field}, {"message", e.message}});
    }
    body["errors"] = std::move(errors);
  }
  Response r = ProblemJson(m.status, body);
  if (m.status == 401) r.WithHeader("WWW-Authenticate", "Bearer realm=\"tessera\"");
  if (m.status == 503 || m.status == 429) {
    r.WithHeader("Retry-After", std::to_string(std::max<int64_t>(1, status.retry_after_s())));
  }
  return r;
}

}  // namespace tessera::http
