// File: json_columns.h
// Lists of strings (roles, redirect URIs, grant types, scopes) stored as a JSON array in a
// TEXT column, the same way on both engines.
#pragma once

#include <string>
#include <vector>

namespace tessera::store::sql {

std::string StringListToJson(const std::vector<std::string>& items);
// Malformed text reads as an empty list; non-string members are skipped.
std::vector<std::string> StringListFromJson(const std::string& text);

}  // namespace tessera::store::sql
