#include "web/page_errors.h"

namespace tessera::web {
namespace {

unsigned HttpStatusOf(StatusCode code) {
  switch (code) {
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kUnauthenticated:
      return 401;
    case StatusCode::kPermissionDenied:
      return 403;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kAlreadyExists:
    case StatusCode::kFailedPrecondition:
    case StatusCode::kAborted:
      return 409;
    case StatusCode::kRateLimited:
      return 429;
    default:
      return 503;
  }
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : "; ") + i;
  return out;
}

}  // namespace

PageFailure PageFailureOf(const Status& s) {
  PageFailure f;
  f.status = HttpStatusOf(s.code());
  f.message = f.unavailable() ? "Please try again in a moment." : s.message();
  return f;
}

http::Response WithRetryAfter(http::Response response, const Status& s) {
  if (s.code() == StatusCode::kRateLimited && s.retry_after_s() > 0) {
    response.WithHeader("Retry-After", std::to_string(s.retry_after_s()));
  }
  return response;
}

std::string RefusalSentence(std::string_view what, const Status& s,
                            const std::vector<std::string>& unplaced, std::string_view check) {
  std::string head(what);
  bool about_fields = s.code() == StatusCode::kInvalidArgument || s.IsAlreadyExists();
  if (!about_fields) return head + ": " + s.message() + ".";
  if (unplaced.empty()) return head + ": " + std::string(check) + ".";
  return head + ": " + Join(unplaced) + ".";
}

}  // namespace tessera::web
