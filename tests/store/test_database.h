// File: test_database.h
// A fresh, empty database for one test, on either backend:
// - "sqlite": a new file in the temp directory, deleted (with its -wal/-shm) afterwards;
// - "postgres": a new schema on the server named by $TESSERA_TEST_POSTGRES_URL (see
//   scripts/postgres-test-server.sh), selected through the URL's
//   `options=-csearch_path=<schema>` and dropped (CASCADE) afterwards, so tests never see
//   each other's rows even though they share one database.
//
//   auto db = test::TestDatabase::Create("postgres");   // kFailedPrecondition if no server
//   auto store = (*db)->OpenStore();                     // migrated Store on that database
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"
#include "store/open_store.h"
#include "store/sql/sql_database.h"
#include "store/store.h"

namespace tessera::store::test {

inline constexpr char kPostgresUrlEnv[] = "TESSERA_TEST_POSTGRES_URL";

// $TESSERA_TEST_POSTGRES_URL, or "" when unset.
std::string PostgresTestUrl();

// `url` with libpq's `options=-csearch_path=<schema>` appended (percent-encoded), so every
// connection opened with it resolves unqualified names in `schema`.
std::string WithSearchPath(std::string_view url, std::string_view schema);

// Runs `sql` (no parameters) on a plain libpq connection to `url`.
Status PostgresExec(const std::string& url, const std::string& sql);

class TestDatabase {
 public:
  // Creates the empty database; nothing is migrated yet. `backend` is "sqlite" or
  // "postgres" (kFailedPrecondition when $TESSERA_TEST_POSTGRES_URL is unset).
  static Result<std::unique_ptr<TestDatabase>> Create(std::string_view backend);
  ~TestDatabase();  // removes the file / drops the schema; close stores opened on it first

  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  std::string_view backend() const { return backend_; }
  // Options that open this database with OpenStore (migrate = true).
  const StoreOptions& options() const { return options_; }

  Result<std::unique_ptr<Store>> OpenStore(bool migrate = true) const;
  // The engine underneath, for raw SQL checks and for calling sql::Migrate directly.
  Result<std::unique_ptr<sql::SqlDatabase>> OpenSql() const;

 private:
  TestDatabase() = default;

  std::string backend_;
  std::string sqlite_path_;  // sqlite
  std::string admin_url_;    // postgres: the server URL, without the search path
  std::string schema_;       // postgres
  StoreOptions options_;
};

}  // namespace tessera::store::test
