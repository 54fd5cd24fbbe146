#include "api/strict_request.h"

#include <boost/json.hpp>

#include <charconv>

#include "api/api_support.h"
#include "base/json_util.h"
#include "http/form.h"
#include "http/problem.h"
#include "accounts/password_policy.h"

namespace tessera::api {
namespace json = boost::json;
using http::Request;
using http::Response;

namespace {

Response Error(const Status& s) { return http::ProblemResponse(s); }

constexpr size_t kMaxQueryValueBytes = 512;

}  // namespace

// Text the database can hold: valid UTF-8 without NUL (PostgreSQL refuses both).
bool IsStorableText(std::string_view s) {
  return s.find('\0') == std::string_view::npos && services::Utf8Length(s).has_value();
}

std::optional<int64_t> ParseInt64(std::string_view s) {
  if (s.empty()) return std::nullopt;
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<std::string> QueryValue(const QueryParams& q, const std::string& name) {
  auto it = q.find(name);
  if (it == q.end()) return std::nullopt;
  return it->second;
}

// ---------------------------------------------------------------- StrictObject

const json::value* StrictObject::Take(std::string_view name, bool required) {
  seen_.emplace_back(name);
  auto it = obj_.find(name);
  if (it == obj_.end()) {
    if (required) errors_.push_back({Field(name), "is required"});
    return nullptr;
  }
  return &it->value();
}

void StrictObject::Fail(std::string_view name, std::string message) {
  errors_.push_back({Field(name), std::move(message)});
}

std::optional<std::string> StrictObject::String(std::string_view name, bool required) {
  const json::value* v = Take(name, required);
  if (!v) return std::nullopt;
  if (!v->is_string()) {
    Fail(name, "must be a string");
    return std::nullopt;
  }
  std::string s(v->as_string());
  if (s.find('\0') != std::string::npos) {
    Fail(name, "must not contain NUL characters");
    return std::nullopt;
  }
  return s;
}

std::optional<std::optional<std::string>> StrictObject::NullableString(std::string_view name) {
  const json::value* v = Take(name, false);
  if (!v) return std::nullopt;
  if (v->is_null()) return std::optional<std::string>();
  if (!v->is_string()) {
    Fail(name, "must be a string or null");
    return std::nullopt;
  }
  std::string s(v->as_string());
  if (s.find('\0') != std::string::npos) {
    Fail(name, "must not contain NUL characters");
    return std::nullopt;
  }
  return std::optional<std::string>(std::move(s));
}

std::optional<bool> StrictObject::Bool(std::string_view name) {
  const json::value* v = Take(name, false);
  if (!v) return std::nullopt;
  if (!v->is_bool()) {
    Fail(name, "must be true or false");
    return std::nullopt;
  }
  return v->as_bool();
}

std::optional<int64_t> StrictObject::Integer(std::string_view name) {
  const json::value* v = Take(name, false);
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64() && v->as_uint64() <= INT64_MAX) return static_cast<int64_t>(v->as_uint64());
  Fail(name, "must be an integer");
  return std::nullopt;
}

std::optional<json::object> StrictObject::Object(std::string_view name) {
  const json::value* v = Take(name, false);
  if (!v) return std::nullopt;
  if (!v->is_object()) {
    Fail(name, "must be an object");
    return std::nullopt;
  }
  return v->as_object();
}

std::optional<std::vector<std::string>> StrictObject::StringArray(std::string_view name) {
  const json::value* v = Take(name, false);
  if (!v) return std::nullopt;
  if (!v->is_array()) {
    Fail(name, "must be an array of strings");
    return std::nullopt;
  }
  std::vector<std::string> out;
  for (const auto& e : v->as_array()) {
    if (!e.is_string()) {
      Fail(name, "must be an array of strings");
      return std::nullopt;
    }
    std::string s(e.as_string());
    if (s.find('\0') != std::string::npos) {
      Fail(name, "must not contain NUL characters");
      return std::nullopt;
    }
    out.push_back(std::move(s));
  }
  return out;
}

std::optional<StrictObject> StrictObject::Nested(std::string_view name) {
  auto obj = Object(name);
  if (!obj) return std::nullopt;
  return StrictObject(std::move(*obj), Field(name) + ".");
}

std::vector<FieldError> StrictObject::TakeErrors() {
  for (const auto& [key, value] : obj_) {
    if (std::find(seen_.begin(), seen_.end(), std::string_view(key)) == seen_.end()) {
      errors_.push_back({Field(key), "unknown field"});
    }
  }
  seen_.clear();
  for (const auto& [key, value] : obj_) seen_.emplace_back(key);  // reported once
  return std::move(errors_);
}

void StrictObject::Absorb(StrictObject& nested) {
  for (auto& e : nested.TakeErrors()) errors_.push_back(std::move(e));
}

Status StrictObject::Finish() {
  auto errors = TakeErrors();
  if (errors.empty()) return OkStatus();
  return ValidationError(std::move(errors));
}

std::optional<Response> ReadStrict(const Request& req, const std::function<void(StrictObject&)>& read,
                                   bool allow_empty) {
  // JsonBody decides the media type and the shape, so every API answers them alike.
  auto body = JsonBody::Parse(req, allow_empty);
  if (!body.ok()) {
    return IsUnsupportedMediaType(body.status()) ? UnsupportedMediaType() : Error(body.status());
  }
  json::object obj;
  if (!(allow_empty && req.body().empty())) {
    auto parsed = ParseJsonObject(req.body());
    if (!parsed.ok()) return Error(parsed.status());
    obj = std::move(*parsed);
  }
  StrictObject reader(std::move(obj));
  read(reader);
  Status s = reader.Finish();
  if (!s.ok()) return Error(s);
  return std::nullopt;
}

// ---------------------------------------------------------------- queries

std::optional<Response> ReadQuery(const Request& req, const std::vector<std::string_view>& known,
                                  QueryParams& out) {
  std::string_view target = req.raw.target();
  size_t q = target.find('?');
  out.clear();
  if (q == std::string_view::npos) return std::nullopt;
  auto parsed = http::ParseForm(target.substr(q + 1));
  if (!parsed.ok()) {
    return Error(InvalidArgumentError("malformed query string (a bad escape or a repeated parameter)"));
  }
  std::vector<FieldError> errors;
  for (const auto& [name, value] : *parsed) {
    if (std::find(known.begin(), known.end(), std::string_view(name)) == known.end()) {
      errors.push_back({name, "unknown query parameter"});
    } else if (!IsStorableText(value)) {
      errors.push_back({name, "must be UTF-8 text without NUL characters"});
    } else if (value.size() > kMaxQueryValueBytes) {
      errors.push_back({name, "is too long"});
    }
  }
  if (!errors.empty()) return Error(ValidationError(std::move(errors)));
  out = std::move(*parsed);
  return std::nullopt;
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

}  // namespace tessera::api
