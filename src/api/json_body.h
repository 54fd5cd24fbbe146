// File: json_body.h
// Strict reading of a JSON request body: the media type must be application/json, the body
// a JSON object, each member of the expected type, and no member the endpoint does not know.
// Every problem is collected, so the client sees all of them in one 400.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "http/message.h"

namespace tessera::api {

class JsonBody {
 public:
  // kInvalidArgument for a non-JSON media type (415, see IsUnsupportedMediaType), malformed
  // JSON or a non-object body. An empty body reads as {} when `allow_empty`.
  static Result<JsonBody> Parse(const http::Request& req, bool allow_empty = false);

  std::optional<std::string> String(std::string_view name, bool required);
  // Present-and-null is `std::optional<std::string>{}` inside the outer optional.
  std::optional<std::optional<std::string>> NullableString(std::string_view name);
  std::optional<int64_t> Integer(std::string_view name, bool required);
  std::optional<boost::json::object> Object(std::string_view name);

  // Reports type errors, missing fields and unknown members.
  Status Finish();

 private:
  explicit JsonBody(boost::json::object obj) : obj_(std::move(obj)) {}
  const boost::json::value* Take(std::string_view name, bool required);

  boost::json::object obj_;
  std::set<std::string, std::less<>> seen_;
  std::vector<FieldError> errors_;
};

// The status JsonBody::Parse returns for a wrong Content-Type; the handler answers 415.
bool IsUnsupportedMediaType(const Status& status);
http::Response UnsupportedMediaType();

}  // namespace tessera::api
