// File: request_path.h
// The path of a request target, as the router sees it: percent-decoded, absolute, valid UTF-8
// (ids in it reach the database, and PostgreSQL refuses malformed UTF-8), no NUL. The server
// answers 400 to a target that fails; the fuzz target `http_request` runs the same rule.
#pragma once

#include <string>
#include <string_view>

namespace tessera::http {

// Decodes the path of `target` (the query is left out) into `out`; false when it is malformed.
bool DecodeRequestPath(std::string_view target, std::string* out);

}  // namespace tessera::http
