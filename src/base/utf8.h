// File: utf8.h
// UTF-8 validity, checked wherever text from outside must be text (paths, names, passwords).
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace tessera {

// The number of code points of well-formed UTF-8; nullopt for malformed input.
std::optional<size_t> Utf8Length(std::string_view text);

// Text the database can hold: well-formed UTF-8 without NUL (PostgreSQL refuses both).
bool IsStorableText(std::string_view text);

}  // namespace tessera
