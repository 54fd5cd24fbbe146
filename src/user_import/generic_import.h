// File: generic_import.h
// The generic import format, for sources other than Django: one user per record, as JSON
// (an array of objects, or JSON lines) or CSV (a header row naming the columns).
//   id             the user's key in the source (re-runs find the user by it); default: email
//   email          required
//   username, password_hash (any kind crypto/password_hash.h knows, as the source stored it)
//   email_verified, disabled        true/false (CSV also 1/0, yes/no)
//   roles          JSON: an array; CSV: separated by spaces or ';'
//   created_at, last_login_at       RFC 3339 / ISO 8601
//   profile        JSON: an object of profile claims; CSV: one column per claim, "profile.<claim>"
// A record with an unknown field or a mistyped value is skipped with its line and reason; a
// CSV header with an unknown column stops the import before any row.
#pragma once

#include <istream>
#include <vector>

#include "base/result.h"
#include "user_import/import_run.h"

namespace tessera::services {

enum class GenericFormat { kJson, kCsv };

Result<ImportSummary> ImportGenericUsers(UserImportService& service, const store::App& app,
                                         GenericFormat format,
                                         const std::vector<std::istream*>& inputs,
                                         const ImportOptions& options);

}  // namespace tessera::services
