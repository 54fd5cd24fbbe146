#include "api/json_body.h"

#include <boost/json.hpp>

#include "base/json_util.h"
#include "http/problem.h"

namespace tessera::api {
namespace json = boost::json;
namespace {

constexpr std::string_view kWrongMediaType = "the body must be application/json";

bool IsJsonMediaType(std::string_view content_type) {
  std::string_view type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  std::string lower(type);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower == "application/json";
}

}  // namespace

bool IsUnsupportedMediaType(const Status& status) {
  return status.code() == StatusCode::kInvalidArgument && status.message() == kWrongMediaType;
}

http::Response UnsupportedMediaType() {
  return http::Problem(415, "unsupported-media-type", "Unsupported media type",
                       std::string(kWrongMediaType));
}

Result<JsonBody> JsonBody::Parse(const http::Request& req, bool allow_empty) {
  if (allow_empty && req.body().empty()) return JsonBody(json::object());
  if (!IsJsonMediaType(req.Header(http::beast_http::field::content_type))) {
    return InvalidArgumentError(std::string(kWrongMediaType));
  }
  TESSERA_ASSIGN_OR_RETURN(json::object obj, ParseJsonObject(req.body()));
  return JsonBody(std::move(obj));
}

const json::value* JsonBody::Take(std::string_view name, bool required) {
  seen_.emplace(name);
  auto it = obj_.find(name);
  if (it == obj_.end()) {
    if (required) errors_.push_back({std::string(name), "is required"});
    return nullptr;
  }
  return &it->value();
}

std::optional<std::string> JsonBody::String(std::string_view name, bool required) {
  const json::value* v = Take(name, required);
  if (!v) return std::nullopt;
  if (!v->is_string()) {
    errors_.push_back({std::string(name), "must be a string"});
    return std::nullopt;
  }
  return std::string(v->as_string());
}

std::optional<std::optional<std::string>> JsonBody::NullableString(std::string_view name) {
  const json::value* v = Take(name, false);
  if (!v) return std::nullopt;
  if (v->is_null()) return std::optional<std::string>();
  if (!v->is_string()) {
    errors_.push_back({std::string(name), "must be a string or null"});
    return std::nullopt;
  }
  return std::optional<std::string>(std::string(v->as_string()));
}

std::optional<int64_t> JsonBody::Integer(std::string_view name, bool required) {
  const json::value* v = Take(name, required);
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64() && v->as_uint64() <= INT64_MAX) return static_cast<int64_t>(v->as_uint64());
  errors_.push_back({std::string(name), "must be an integer"});
  return std::nullopt;
}

std::optional<json::object> JsonBody::Object(std::string_view name) {
  const json::value* v = Take(name, false);
  if (!v) return std::nullopt;
  if (!v->is_object()) {
    errors_.push_back({std::string(name), "must be an object"});
    return std::nullopt;
  }
  return v->as_object();
}

Status JsonBody::Finish() {
  for (const auto& [key, value] : obj_) {
    if (!seen_.contains(std::string_view(key))) {
      errors_.push_back({std::string(key), "unknown field"});
    }
  }
  if (errors_.empty()) return OkStatus();
  return ValidationError(std::move(errors_));
}

}  // namespace tessera::api
