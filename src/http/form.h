// File: form.h
// application/x-www-form-urlencoded bodies (OAuth endpoints, HTML forms); query strings are
// read the same way (http/query.h).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "http/message.h"

namespace tessera::http {

using FormParams = std::map<std::string, std::string>;

// The value of parameter `name`, or "" when it is absent.
std::string FormValue(const FormParams& params, const std::string& name);

// True for "application/x-www-form-urlencoded" (any case, parameters like charset allowed).
bool IsFormContentType(std::string_view content_type);

// Decodes `body`; kInvalidArgument for malformed escapes or a parameter given twice
// (RFC 6749 §3.2: parameters MUST NOT be included more than once), and for a name or value
// that is not UTF-8 once decoded: that status names the parameter in its message and carries
// a field error for it (IsNotUtf8Form).
Result<std::map<std::string, std::string>> ParseForm(std::string_view body);

// True for ParseForm's status of a parameter that is not UTF-8 (the only one with field errors):
// answered 400 naming the field, where other unreadable forms may get another answer.
bool IsNotUtf8Form(const Status& status);

// The request's form body: kInvalidArgument when the Content-Type is not
// application/x-www-form-urlencoded ("the body must be application/x-www-form-urlencoded")
// or the body is malformed (ParseForm).
Result<FormParams> ReadFormBody(const Request& req);

// Percent-encodes a query or form component: everything but RFC 3986 unreserved characters.
std::string FormEncode(std::string_view text);

// Percent-decodes a form component ('+' is a space).
std::optional<std::string> FormDecode(std::string_view text);

}  // namespace tessera::http
