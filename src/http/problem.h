// File: problem.h
// The one writer of API errors: RFC 9457 problem details (application/problem+json).
// A Status maps to an HTTP status and a stable `type`; only the message of 4xx errors is
// shown to clients — a 5xx says "internal error" and its detail goes to the log instead.
#pragma once

#include <string_view>

#include "base/status.h"
#include "http/message.h"

namespace tessera::http {

// Builds the problem response for a non-OK status.
Response ProblemResponse(const Status& status);

// For errors the HTTP layer decides itself (404 route, 405, 413, 415, 431, 503 …).
Response Problem(unsigned http_status, std::string_view type, std::string_view title,
                 std::string_view detail);

}  // namespace tessera::http
