// File: json_util.h
// Small helpers over Boost.JSON used across layers.
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace tessera {

// ParseJsonObject parses `text` and requires a top-level object.
Result<boost::json::object> ParseJsonObject(std::string_view text);

}  // namespace tessera
