// File: form.h
// application/x-www-form-urlencoded bodies (OAuth endpoints, HTML forms).
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "base/result.h"

namespace tessera::http {

using FormParams = std::map<std::string, std::string>;

// The value of parameter `name`, or "" when it is absent.
std::string FormValue(const FormParams& params, const std::string& name);

// True for "application/x-www-form-urlencoded" (any case, parameters like charset allowed).
bool IsFormContentType(std::string_view content_type);

// Decodes `body`; kInvalidArgument for malformed escapes or a parameter given twice
// (RFC 6749 §3.2: parameters MUST NOT be included more than once).
Result<std::map<std::string, std::string>> ParseForm(std::string_view body);

// Percent-encodes a query or form component: everything but RFC 3986 unreserved characters.
std::string FormEncode(std::string_view text);

// Percent-decodes a form component ('+' is a space).
std::optional<std::string> FormDecode(std::string_view text);

}  // namespace tessera::http
