// File: form.h
// application/x-www-form-urlencoded bodies (OAuth endpoints, HTML forms).
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "base/result.h"

namespace tessera::http {

// Decodes `body`; kInvalidArgument for malformed escapes or a parameter given twice
// (RFC 6749 §3.2: parameters MUST NOT be included more than once).
Result<std::map<std::string, std::string>> ParseForm(std::string_view body);

// Percent-encodes a query or form component: everything but RFC 3986 unreserved characters.
std::string FormEncode(std::string_view text);

// Percent-decodes a form component ('+' is a space).
std::optional<std::string> FormDecode(std::string_view text);

}  // namespace tessera::http
