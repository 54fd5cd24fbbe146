// File: strict_request.h
// Strict reading of the management APIs' requests: JSON bodies with booleans, string arrays
// and nested objects (JsonBody reads the flat bodies of the account API), and query strings
// of known parameters only. Every problem is collected into one 400 with field errors.
#pragma once

#include <boost/json/object.hpp>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "http/message.h"

namespace tessera::api {

// A strict reader of a JSON object: each member of the expected type, every problem collected
// (field names of a nested object read with Nested() are "parent.member"), and no member the
// endpoint did not ask for. Like JsonBody, with booleans, arrays of strings and nested objects.
class StrictObject {
 public:
  explicit StrictObject(boost::json::object obj, std::string prefix = "")
      : obj_(std::move(obj)), prefix_(std::move(prefix)) {}

  bool Has(std::string_view name) const { return obj_.contains(name); }
  std::optional<std::string> String(std::string_view name, bool required = false);
  // Present-and-null is the inner nullopt.
  std::optional<std::optional<std::string>> NullableString(std::string_view name);
  std::optional<bool> Bool(std::string_view name);
  std::optional<int64_t> Integer(std::string_view name);
  std::optional<boost::json::object> Object(std::string_view name);
  std::optional<std::vector<std::string>> StringArray(std::string_view name);
  // A reader of the object member `name` (nullopt when absent or not an object, which is
  // reported); call Absorb() with it when done, so its errors and unknown members count.
  std::optional<StrictObject> Nested(std::string_view name);
  void Absorb(StrictObject& nested);
  void Fail(std::string_view name, std::string message);

  // Type errors, missing members and unknown members; OK when there are none.
  Status Finish();

 private:
  const boost::json::value* Take(std::string_view name, bool required);
  std::string Field(std::string_view name) const { return prefix_ + std::string(name); }
  std::vector<FieldError> TakeErrors();

  boost::json::object obj_;
  std::string prefix_;
  std::vector<std::string> seen_;
  std::vector<FieldError> errors_;
};

// Reads the body strictly (415 for another media type, 400 for malformed JSON, a non-object,
// wrong types or unknown members) and runs `read` on it; the response to send on failure.
// An empty body reads as {} when `allow_empty`.
std::optional<http::Response> ReadStrict(const http::Request& req,
                                         const std::function<void(StrictObject&)>& read,
                                         bool allow_empty = false);

using QueryParams = std::map<std::string, std::string>;
// The query string's parameters; 400 for malformed escapes, a repeated parameter or one that
// is not in `known`.
std::optional<http::Response> ReadQuery(const http::Request& req,
                                        const std::vector<std::string_view>& known,
                                        QueryParams& out);
// `limit` of a query: an integer in 1..max (default when absent); kInvalidArgument otherwise.
Result<int> LimitOf(const QueryParams& query, int default_limit, int max_limit);

// Text the database can hold: valid UTF-8 without NUL (PostgreSQL refuses both).
bool IsStorableText(std::string_view s);
// A whole decimal int64 ("12"; not "", "1x" or "+1"); nullopt otherwise.
std::optional<int64_t> ParseInt64(std::string_view s);
// The value of a query parameter, if present.
std::optional<std::string> QueryValue(const QueryParams& q, const std::string& name);

}  // namespace tessera::api
