// File: percent_encoding.h
// Percent-encoding of URL query components (RFC 3986): everything but unreserved characters.
#pragma once

#include <string>
#include <string_view>

namespace tessera {

std::string PercentEncode(std::string_view text);

}  // namespace tessera
