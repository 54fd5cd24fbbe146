#include "http/json_body.h"

#include <algorithm>
#include <boost/json.hpp>

#include "base/json_util.h"
#include "base/utf8.h"
#include "http/problem.h"

namespace tessera::http {
namespace json = boost::json;

bool IsJsonMediaType(std::string_view content_type) {
  std::string_view type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.remove_prefix(1);
  std::string lower(type);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower == "application/json";
}

namespace {

constexpr std::string_view kWrongMediaType = "the body must be application/json";

bool HasNul(std::string_view s) { return s.find('\0') != std::string_view::npos; }

// Every member (as "parent.member"; an array's elements under the array's name) whose name or
// string value is not UTF-8. The body is parsed keeping such bytes only so that the answer can
// name the field; nothing of it is used when this finds one.
void FindNotUtf8(const json::value& v, const std::string& field, std::vector<FieldError>& out) {
  if (v.is_string()) {
    const json::string& s = v.get_string();
    if (!IsValidUtf8(std::string_view(s.data(), s.size()))) {
      out.push_back({field, "must be valid UTF-8 text"});
    }
  } else if (v.is_array()) {
    for (const auto& e : v.get_array()) FindNotUtf8(e, field, out);
  } else if (v.is_object()) {
    for (const auto& [k, member] : v.get_object()) {
      std::string_view key(k.data(), k.size());
      std::string name = (field.empty() ? "" : field + ".") + ToValidUtf8(key);
      if (!IsValidUtf8(key)) {
        out.push_back({name, "must be valid UTF-8 text"});
      } else {
        FindNotUtf8(member, name, out);
      }
    }
  }
}

}  // namespace

bool IsUnsupportedMediaType(const Status& status) {
  return status.code() == StatusCode::kInvalidArgument && status.message() == kWrongMediaType;
}

Result<JsonBody> JsonBody::Parse(const Request& req, JsonBodyRules rules) {
  if (rules.allow_empty && req.body().empty()) return JsonBody(json::object(), rules);
  if (!IsJsonMediaType(req.Header(beast_http::field::content_type))) {
    return InvalidArgumentError(std::string(kWrongMediaType));
  }
  TESSERA_ASSIGN_OR_RETURN(json::object obj, ParseJsonObject(req.body(), JsonUtf8::kKeep));
  std::vector<FieldError> not_utf8;
  FindNotUtf8(obj, "", not_utf8);
  if (!not_utf8.empty()) return ValidationError(std::move(not_utf8));
  return JsonBody(std::move(obj), rules);
}

const json::value* JsonBody::Take(std::string_view name, bool required) {
  seen_.emplace_back(name);
  auto it = obj_.find(name);
  if (it == obj_.end()) {
    if (required) errors_.push_back({Field(name), "is required"});
    return nullptr;
  }
  return &it->value();
}

void JsonBody::Fail(std::string_view name, std::string message) {
  errors_.push_back({Field(name), std::move(message)});
}

// A string value as text, or nullopt (reported) when it holds a NUL the rules refuse.
std::optional<std::string> JsonBody::Text(std::string_view name, const json::value& v) {
  std::string s(v.as_string());
  if (rules_.refuse_nul && HasNul(s)) {
    Fail(name, "must not contain NUL characters");
    return std::nullopt;
  }
  return s;
}

std::optional<std::string> JsonBody::String(std::string_view name, bool required) {
  const json::value* v = Take(name, required);
  if (!v) return std::nullopt;
  if (!v->is_string()) {
    Fail(name, "must be a string");
    return std::nullopt;
  }
  return Text(name, *v);
}

std::optional<std::optional<std::string>> JsonBody::NullableString(std::string_view name) {
  const json::value* v = Take(name, false);
  if (!v) return std::nullopt;
  if (v->is_null()) return std::optional<std::string>();
  if (!v->is_string()) {
    Fail(name, "must be a string or null");
    return std::nullopt;
  }
  auto text = Text(name, *v);
  if (!text) return std::nullopt;
  return std::optional<std::string>(std::move(*text));
}

std::optional<bool> JsonBody::Bool(std::string_view name) {
  const json::value* v = Take(name, false);
  if (!v) return std::nullopt;
  if (!v->is_bool()) {
    Fail(name, "must be true or false");
    return std::nullopt;
  }
  return v->as_bool();
}

std::optional<int64_t> JsonBody::Integer(std::string_view name, bool required) {
  const json::value* v = Take(name, required);
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64() && v->as_uint64() <= INT64_MAX) return static_cast<int64_t>(v->as_uint64());
  Fail(name, "must be an integer");
  return std::nullopt;
}

std::optional<std::optional<int64_t>> JsonBody::NullableInteger(std::string_view name) {
  const json::value* v = Take(name, false);
  if (!v) return std::nullopt;
  if (v->is_null()) return std::optional<int64_t>();
  if (v->is_int64()) return std::optional<int64_t>(v->as_int64());
  if (v->is_uint64() && v->as_uint64() <= INT64_MAX) {
    return std::optional<int64_t>(static_cast<int64_t>(v->as_uint64()));
  }
  Fail(name, "must be an integer or null");
  return std::nullopt;
}

std::optional<json::object> JsonBody::Object(std::string_view name) {
  const json::value* v = Take(name, false);
  if (!v) return std::nullopt;
  if (!v->is_object()) {
    Fail(name, "must be an object");
    return std::nullopt;
  }
  return v->as_object();
}

std::optional<std::vector<std::string>> JsonBody::StringArray(std::string_view name) {
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
    auto text = Text(name, e);
    if (!text) return std::nullopt;
    out.push_back(std::move(*text));
  }
  return out;
}

std::optional<JsonBody> JsonBody::Nested(std::string_view name) {
  auto obj = Object(name);
  if (!obj) return std::nullopt;
  return JsonBody(std::move(*obj), rules_, Field(name) + ".");
}

std::vector<FieldError> JsonBody::TakeErrors() {
  for (const auto& [key, value] : obj_) {
    if (std::find(seen_.begin(), seen_.end(), std::string_view(key)) == seen_.end()) {
      errors_.push_back({Field(key), "unknown field"});
    }
  }
  seen_.clear();
  for (const auto& [key, value] : obj_) seen_.emplace_back(key);  // reported once
  return std::move(errors_);
}

void JsonBody::Absorb(JsonBody& nested) {
  for (auto& e : nested.TakeErrors()) errors_.push_back(std::move(e));
}

Status JsonBody::Finish() {
  auto errors = TakeErrors();
  if (errors.empty()) return OkStatus();
  return ValidationError(std::move(errors));
}

std::optional<Response> ReadJson(const Request& req, const std::function<void(JsonBody&)>& read,
                                 JsonBodyRules rules) {
  auto body = JsonBody::Parse(req, rules);
  if (!body.ok()) {
    if (IsUnsupportedMediaType(body.status())) {
      return Problem(415, "unsupported-media-type", "Unsupported media type", kWrongMediaType);
    }
    return ProblemResponse(body.status());
  }
  read(*body);
  Status s = body->Finish();
  if (!s.ok()) return ProblemResponse(s);
  return std::nullopt;
}

}  // namespace tessera::http
