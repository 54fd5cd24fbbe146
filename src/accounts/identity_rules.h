// File: identity_rules.h
// What an email address and a username may be, and their normalized (comparison) forms.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tessera::services {

// Trims; checks shape (one '@', non-empty local part ≤ 64, a dotted domain, ≤ 254 bytes, no
// spaces or control characters). Returns the trimmed address, or nullopt.
std::optional<std::string> ValidEmail(std::string_view input);
// ASCII-lowercased: addresses compare case-insensitively within an app.
std::string NormalizeEmail(std::string_view email);

// 3–64 of a-z, 0-9, '.', '_', '-', starting with a letter or digit (case-insensitive).
// Never contains '@', so a login identifier is unambiguous. Returns what is wrong with
// `username` ("must be 3-64 characters"), or nullopt when it is a valid username.
std::optional<std::string> CheckUsername(std::string_view username);
std::string NormalizeUsername(std::string_view username);

}  // namespace tessera::services
