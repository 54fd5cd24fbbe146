// File: strings.h
// Small string helpers every layer uses, written once.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace tessera {

// The parts joined, sized once. Also the way to build a string from a constant and a literal:
// g++ 12 reports -Warray-bounds false positives (GCC bug 105651) when `std::string(k) + "…"`
// is inlined, so callers that hit it use this out-of-line function instead.
std::string StrCat(std::initializer_list<std::string_view> parts);

// Whether `list` holds `item` (scopes, grant types, redirect URIs).
bool Contains(const std::vector<std::string>& list, std::string_view item);

// `s` without the spaces, tabs and line breaks at either end.
std::string Trim(std::string_view s);

}  // namespace tessera
