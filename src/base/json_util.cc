#include "base/json_util.h"

#include "base/utf8.h"

namespace tessera {

Result<boost::json::object> ParseJsonObject(std::string_view text, JsonUtf8 utf8) {
  boost::system::error_code ec;
  boost::json::parse_options opts;
  opts.max_depth = 32;  // bounded nesting: a deep document must not exhaust the stack
  opts.allow_invalid_utf8 = utf8 == JsonUtf8::kKeep;
  boost::json::value v = boost::json::parse(text, ec, {}, opts);
  if (ec) return InvalidArgumentError("malformed JSON: " + ec.message());
  if (!v.is_object()) return InvalidArgumentError("the JSON body must be an object");
  return std::move(v.as_object());
}

std::string ToJsonText(const boost::json::value& value) {
  std::string text = boost::json::serialize(value);
  if (IsValidUtf8(text)) return text;
  return ToValidUtf8(text);
}

}  // namespace tessera
