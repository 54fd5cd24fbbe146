// File: open_store.h
// Builds the configured Store: PostgreSQL when a postgres:// URL is given, SQLite otherwise.
#pragma once

#include <memory>
#include <string>

#include "base/result.h"
#include "store/store.h"

namespace tessera::store {

struct StoreOptions {
  std::string database_url;  // postgres://… or postgresql://…; empty = SQLite
  std::string sqlite_path;   // used when database_url is empty
  int pool_size = 8;         // PostgreSQL connections / SQLite readers
  bool sqlite_synchronous_full = false;
  bool migrate = true;       // apply pending migrations on open
  // false: refuse (NotFound) a database that does not exist yet or holds no Tessera schema,
  // instead of creating one — admin commands run from the wrong folder must not quietly
  // start a new, empty database with a new master key.
  bool create = true;
};

Result<std::unique_ptr<Store>> OpenStore(const StoreOptions& options);

}  // namespace tessera::store
