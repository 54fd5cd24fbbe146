#include "base/json_util.h"

namespace tessera {

Result<boost::json::object> ParseJsonObject(std::string_view text) {
  boost::system::error_code ec;
  boost::json::parse_options opts;
  opts.max_depth = 32;  // bounded nesting: a deep document must not exhaust the stack
  boost::json::value v = boost::json::parse(text, ec, {}, opts);
  if (ec) return InvalidArgumentError("malformed JSON: " + ec.message());
  if (!v.is_object()) return InvalidArgumentError("the JSON body must be an object");
  return std::move(v.as_object());
}

}  // namespace tessera
