// File: page_errors.h
// The one mapping of a failed service call to what a page answers — the HTML twin of
// http/problem.cc. A form shown again with the failure uses the HTTP status and sentence
// below; only a 4xx shows the service's own words (they are written for the person, and
// ServiceText says them in the page's language), a 5xx says "Please try again in a moment."
// and its detail stays in the log.
//
//   400 kInvalidArgument    401 kUnauthenticated    403 kPermissionDenied   404 kNotFound
//   409 kAlreadyExists, kFailedPrecondition, kAborted   429 kRateLimited (Retry-After)
//   503 everything else (overloaded, down, a bug)
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "http/message.h"
#include "i18n/message_catalog.h"

namespace tessera::web {

struct PageFailure {
  unsigned status = 503;
  std::string message;  // the service's sentence for a 4xx, a generic one for a 5xx
  bool unavailable() const { return status >= 500; }
};

PageFailure PageFailureOf(const Status& status, const i18n::Texts& t);

// A 429 page says when to come back (Retry-After) when the status knows.
http::Response WithRetryAfter(http::Response response, const Status& status);

// The error line of a form a service refused, in t's language (`what` and the unplaced field
// errors already are). For invalid or conflicting input (400, 409 AlreadyExists): "<what>:
// please check the highlighted fields." when every field error is shown by its field,
// "<what>: a; b." with the others; for any other refusal "<what>: <the service's message>.".
std::string RefusalSentence(const i18n::Texts& t, std::string_view what, const Status& status,
                            const std::vector<std::string>& unplaced_field_errors);

// What the consoles pass for `t`: they stay English (so do their refusal sentences).
i18n::Texts EnglishTexts();

}  // namespace tessera::web
