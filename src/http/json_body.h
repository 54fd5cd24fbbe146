// File: json_body.h
// The one strict reader of JSON request bodies (every JSON API reads through it): the media
// type must be application/json, the body one JSON object (at most 32 levels deep), each
// member of the type the endpoint expects, and no member the endpoint does not know. Every
// problem is collected, so the client sees all of them in one RFC 9457 answer:
//   415 unsupported-media-type   another Content-Type
//   400 malformed-request        not JSON, or not an object
//   400 validation-error         wrong types, missing or unknown members (`errors`, one per
//                                field; members of a nested object are "parent.member"), or a
//                                string that is not UTF-8 (named, not a bare parse error)
// The size of a body is bounded before any handler runs (http/server.cc: 413).
//
//   if (auto bad = http::ReadJson(req, [&](http::JsonBody& b) {
//         name = b.String("name", /*required=*/true).value_or("");
//         limit = b.Integer("limit");
//       })) {
//     return *bad;
//   }
#pragma once

#include <boost/json/object.hpp>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "http/message.h"

namespace tessera::http {

// How strict a body's text is beyond JSON's own rules.
struct JsonBodyRules {
  // An empty body reads as {} (endpoints whose every member is optional).
  bool allow_empty = false;
  // A string holding U+0000 is a field error: PostgreSQL cannot store it. Off where text
  // only passes through to a service that judges it itself (a password may hold anything).
  bool refuse_nul = true;
};

class JsonBody {
 public:
  explicit JsonBody(boost::json::object obj, JsonBodyRules rules = {}, std::string prefix = "")
      : obj_(std::move(obj)), rules_(rules), prefix_(std::move(prefix)) {}

  // Parses the request's body: kInvalidArgument for another media type (see
  // IsUnsupportedMediaType), malformed JSON or a body that is not an object.
  static Result<JsonBody> Parse(const Request& req, JsonBodyRules rules = {});

  bool Has(std::string_view name) const { return obj_.contains(name); }
  std::optional<std::string> String(std::string_view name, bool required = false);
  // Present-and-null is the inner nullopt.
  std::optional<std::optional<std::string>> NullableString(std::string_view name);
  std::optional<bool> Bool(std::string_view name);
  std::optional<int64_t> Integer(std::string_view name, bool required = false);
  // Present-and-null is the inner nullopt (an optional limit whose null means "none").
  std::optional<std::optional<int64_t>> NullableInteger(std::string_view name);
  std::optional<boost::json::object> Object(std::string_view name);
  // The member as sent (nullptr when absent), for one whose type the endpoint judges itself
  // (e.g. an object or null) and reports with Fail; it counts as a known member.
  const boost::json::value* Value(std::string_view name) { return Take(name, false); }
  std::optional<std::vector<std::string>> StringArray(std::string_view name);
  // A reader of the object member `name` (nullopt when absent or not an object, which is
  // reported); call Absorb() with it when done, so its errors and unknown members count.
  std::optional<JsonBody> Nested(std::string_view name);
  void Absorb(JsonBody& nested);
  void Fail(std::string_view name, std::string message);

  // Type errors, missing members and unknown members; OK when there are none.
  Status Finish();

 private:
  const boost::json::value* Take(std::string_view name, bool required);
  std::optional<std::string> Text(std::string_view name, const boost::json::value& v);
  std::string Field(std::string_view name) const { return prefix_ + std::string(name); }
  std::vector<FieldError> TakeErrors();

  boost::json::object obj_;
  JsonBodyRules rules_;
  std::string prefix_;
  std::vector<std::string> seen_;
  std::vector<FieldError> errors_;
};

// True for `application/json` with any parameters, in any case (RFC 9110 §8.3.1).
bool IsJsonMediaType(std::string_view content_type);

// True for the status JsonBody::Parse gives a body of another media type (answered 415).
bool IsUnsupportedMediaType(const Status& status);

// Reads the body strictly and runs `read` on it; the problem to answer when it fails
// (415, or 400 with every problem listed), nullopt when the body was good.
std::optional<Response> ReadJson(const Request& req, const std::function<void(JsonBody&)>& read,
                                 JsonBodyRules rules = {});

}  // namespace tessera::http
