#include "web/page_errors.h"

#include "web/service_messages.h"

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

std::string Join(const i18n::Texts& t, const std::vector<std::string>& items) {
  const std::string separator = t("errors.list_separator");
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : separator) + i;
  return out;
}

}  // namespace

PageFailure PageFailureOf(const Status& s, const i18n::Texts& t) {
  PageFailure f;
  f.status = HttpStatusOf(s.code());
  f.message = f.unavailable() ? t("errors.try_again_later") : ServiceText(t, s.message());
  return f;
}

http::Response WithRetryAfter(http::Response response, const Status& s) {
  if (s.code() == StatusCode::kRateLimited && s.retry_after_s() > 0) {
    response.WithHeader("Retry-After", std::to_string(s.retry_after_s()));
  }
  return response;
}

std::string RefusalSentence(const i18n::Texts& t, std::string_view what, const Status& s,
                            const std::vector<std::string>& unplaced) {
  const std::string head(what);
  bool about_fields = s.code() == StatusCode::kInvalidArgument || s.IsAlreadyExists();
  if (!about_fields) {
    return t("errors.refusal", {{"what", head}, {"reason", ServiceText(t, s.message())}});
  }
  if (unplaced.empty()) return t("errors.refusal_check_fields", {{"what", head}});
  return t("errors.refusal", {{"what", head}, {"reason", Join(t, unplaced)}});
}

i18n::Texts EnglishTexts() { return i18n::Texts(i18n::MessageCatalog::Embedded(), "en"); }

}  // namespace tessera::web
