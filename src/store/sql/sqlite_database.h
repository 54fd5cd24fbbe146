// File: sqlite_database.h
// SQLite engine for SqlDatabase: WAL journal, foreign keys on, busy timeout. One writer
// connection (SQLite allows one writer at a time anyway; a mutex queues writers in-process
// instead of spinning on SQLITE_BUSY) and a pool of readers that WAL lets run beside it.
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
