#include "http/query.h"

#include <algorithm>
#include <charconv>

#include "base/utf8.h"
#include "http/form.h"

namespace tessera::http {
namespace {

constexpr size_t kMaxKnownValueBytes = 512;

std::string_view QueryString(const Request& req) {
  std::string_view target = req.raw.target();
  size_t q = target.find('?');
  return q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
}

bool HasQuery(const Request& req) {
  return std::string_view(req.raw.target()).find('?') != std::string_view::npos;
}

}  // namespace

Result<QueryParams> ReadQuery(const Request& req) {
  if (!HasQuery(req)) return QueryParams{};
  return ParseForm(QueryString(req));
}

Result<QueryParams> ReadKnownQuery(const Request& req, const std::vector<std::string_view>& known) {
  if (!HasQuery(req)) return QueryParams{};
  auto parsed = ParseForm(QueryString(req));
  if (IsNotUtf8Form(parsed.status())) return ValidationError(parsed.status().field_errors());
  if (!parsed.ok()) {
    return InvalidArgumentError("malformed query string (a bad escape or a repeated parameter)");
  }
  std::vector<FieldError> errors;
  for (const auto& [name, value] : *parsed) {
    if (std::find(known.begin(), known.end(), std::string_view(name)) == known.end()) {
      errors.push_back({name, "unknown query parameter"});
    } else if (!IsStorableText(value)) {
      errors.push_back({name, "must be UTF-8 text without NUL characters"});
    } else if (value.size() > kMaxKnownValueBytes) {
      errors.push_back({name, "is too long"});
    }
  }
  if (!errors.empty()) return ValidationError(std::move(errors));
  return parsed;
}

std::optional<std::string> QueryValue(const QueryParams& query, const std::string& name) {
  auto it = query.find(name);
  if (it == query.end()) return std::nullopt;
  return it->second;
}

Result<int> LimitOf(const QueryParams& query, int default_limit, int max_limit) {
  auto v = QueryValue(query, "limit");
  if (!v) return default_limit;
  auto n = ParseInt64(*v);
  if (!n || *n < 1 || *n > max_limit) {
    return ValidationError(
        {{"limit", "must be an integer from 1 to " + std::to_string(max_limit)}});
  }
  return static_cast<int>(*n);
}

std::optional<int64_t> ParseInt64(std::string_view s) {
  if (s.empty()) return std::nullopt;
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace tessera::http
