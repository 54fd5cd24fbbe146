#include "store/open_store.h"

#include <filesystem>

#include "store/sql/migrations.h"
#include "store/sql/postgres_database.h"
#include "store/sql/sql_store.h"
#include "store/sql/sqlite_database.h"

namespace tessera::store {

Result<std::unique_ptr<Store>> OpenStore(const StoreOptions& options) {
  std::unique_ptr<sql::SqlDatabase> db;
  const std::string& url = options.database_url;
  if (url.rfind("postgres://", 0) == 0 || url.rfind("postgresql://", 0) == 0) {
    TESSERA_ASSIGN_OR_RETURN(db, sql::OpenPostgres({url, options.pool_size}));
  } else if (!url.empty()) {
    return InvalidArgumentError("database URL must start with postgres:// or postgresql://");
  } else {
    std::error_code ec;
    if (!options.create && !std::filesystem::exists(options.sqlite_path, ec)) {
      return NotFoundError("no database at " + options.sqlite_path);
    }
    TESSERA_ASSIGN_OR_RETURN(
        db, sql::OpenSqlite({options.sqlite_path, options.pool_size,
                             options.sqlite_synchronous_full}));
  }
  if (!options.create) {
    TESSERA_ASSIGN_OR_RETURN(bool has_schema, sql::HasSchema(*db));
    if (!has_schema) return NotFoundError("the database holds no Tessera schema");
  }
  if (options.migrate) TESSERA_RETURN_IF_ERROR(sql::Migrate(*db).status());
  return std::unique_ptr<Store>(std::make_unique<sql::SqlStore>(std::move(db)));
}

}  // namespace tessera::store
