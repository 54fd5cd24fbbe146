// File: auth_scheme.h
// The credentials of an Authorization header with a given scheme. The scheme is
// case-insensitive (RFC 9110 §11.1: "Bearer", "bearer", "BEARER" are one scheme); one or more
// spaces separate it from the credentials.
#pragma once

#include <optional>
#include <string_view>

namespace tessera {

// The credentials after `scheme` (lower case, e.g. "bearer"), without the spaces before them;
// nullopt when the header has another scheme or nothing after it.
std::optional<std::string_view> AuthCredentials(std::string_view header, std::string_view scheme);

}  // namespace tessera
