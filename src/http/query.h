// File: query.h
// Reading a request's query string (the part of the target after '?'), form-encoded like a
// form body (http/form.h). Two readers: the lenient one of the hosted pages and OAuth
// endpoints (every parameter, each at most once), and the strict one of the JSON APIs (only
// known parameters, text the database can hold, bounded values), whose errors are field
// errors for one RFC 9457 400.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "http/message.h"

namespace tessera::http {

using QueryParams = std::map<std::string, std::string>;

// Every query parameter ({} without a query); kInvalidArgument for a malformed escape or a
// parameter given twice (RFC 6749 §3.1).
Result<QueryParams> ReadQuery(const Request& req);

// Only the parameters in `known`, each UTF-8 text without NUL of at most 512 bytes:
// kInvalidArgument for a malformed query, a validation error naming each bad parameter.
Result<QueryParams> ReadKnownQuery(const Request& req, const std::vector<std::string_view>& known);

// The value of a query parameter, if present.
std::optional<std::string> QueryValue(const QueryParams& query, const std::string& name);

// `limit` of a query: an integer in 1..max (default when absent); a validation error naming
// `limit` otherwise.
Result<int> LimitOf(const QueryParams& query, int default_limit, int max_limit);

// A whole decimal int64 ("12"; not "", "1x" or "+1"); nullopt otherwise.
std::optional<int64_t> ParseInt64(std::string_view s);

}  // namespace tessera::http
