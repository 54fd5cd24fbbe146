// File: json_util.h
// Small helpers over Boost.JSON used across layers.
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace tessera {

// How ParseJsonObject treats bytes that are not UTF-8 inside strings.
enum class JsonUtf8 {
  kRefuse,  // a parse error (Boost.JSON's default)
  kKeep,    // kept as they are, for a caller that names the offending member itself
};

// ParseJsonObject parses `text` and requires a top-level object.
Result<boost::json::object> ParseJsonObject(std::string_view text,
                                            JsonUtf8 utf8 = JsonUtf8::kRefuse);

// The JSON text of `value`, always well-formed UTF-8. Boost.JSON copies a string's bytes as they
// are, so a stored ill-formed byte (data from before the edge checked UTF-8) would make a
// document strict parsers reject; here each ill-formed sequence becomes U+FFFD instead. The
// serializer escapes only ASCII, so the repair never touches the document's structure.
std::string ToJsonText(const boost::json::value& value);

}  // namespace tessera
