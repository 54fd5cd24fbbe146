// File: postgres_database.h
// PostgreSQL engine for SqlDatabase (libpq): a fixed pool of connections, each with its own
// cache of prepared statements; a broken connection is reset on its next use.
#pragma once

#include <memory>
#include <string>

#include "base/result.h"
#include "store/sql/sql_database.h"

namespace tessera::store::sql {

struct PostgresOptions {
  std::string url;  // postgres://user:pass@host:port/db?…
  int pool_size = 8;
};

Result<std::unique_ptr<SqlDatabase>> OpenPostgres(const PostgresOptions& options);

}  // namespace tessera::store::sql
