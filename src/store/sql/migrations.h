// File: migrations.h
// Versioned schema migrations: numbered files under store/migrations/<dialect>/, embedded in
// the binary at build time, applied in order, each in its own transaction, and recorded in
// `schema_migrations`. Concurrent starters are safe: the write transaction serialises them.
#pragma once

#include <string_view>
#include <vector>

#include "base/result.h"
#include "store/sql/sql_database.h"

namespace tessera::store::sql {

struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

// Generated from migrations/<dialect>/*.sql by CMake (embedded_migrations.cc).
const std::vector<Migration>& EmbeddedMigrations(std::string_view dialect);

// Whether the database holds a Tessera schema (a schema_migrations table with a row).
Result<bool> HasSchema(SqlDatabase& db);

// Applies what is missing; returns the versions applied now.
Result<std::vector<int>> Migrate(SqlDatabase& db);

}  // namespace tessera::store::sql
