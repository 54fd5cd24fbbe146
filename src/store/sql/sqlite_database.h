// File: sqlite_database.h
// SQLite engine for SqlDatabase: WAL journal, foreign keys on, busy timeout. One writer
// thread owns the one writer connection (SQLite allows one writer at a time anyway) and
// commits the writes queued meanwhile together (group commit, see sqlite_database.cc); a pool
// of readers runs beside it, as WAL allows. Statements are prepared once per connection.
#pragma once

#include <memory>
#include <string>

#include "base/result.h"
#include "store/sql/sql_database.h"

namespace tessera::store::sql {

struct SqliteOptions {
  std::string path;           // database file
  int readers = 4;            // reader connections
  bool synchronous_full = false;  // FULL: fsync every commit; NORMAL survives process crashes
};

Result<std::unique_ptr<SqlDatabase>> OpenSqlite(const SqliteOptions& options);

}  // namespace tessera::store::sql
