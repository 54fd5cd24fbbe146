#include "test_database.h"

#include <libpq-fe.h>

#include <cstdlib>
#include <filesystem>
#include <system_error>

#include "crypto/random.h"
#include "store/sql/postgres_database.h"
#include "store/sql/sqlite_database.h"
#include "base/strings.h"

namespace tessera::store::test {
namespace {

// Lowercase hex: safe in a file name and in an unquoted PostgreSQL identifier.
std::string RandomSuffix() {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : crypto::RandomBytes(8)) {
    out += kHex[c >> 4];
    out += kHex[c & 0xf];
  }
  return out;
}

}  // namespace

std::string PostgresTestUrl() {
  const char* url = std::getenv(kPostgresUrlEnv);
  return url ? url : "";
}

// libpq decodes %XX in URI query values; a literal '=' inside a value is an error there,
// hence %3D. Schema names here are [a-z0-9_], which need no further encoding.
std::string WithSearchPath(std::string_view url, std::string_view schema) {
  std::string out(url);
  out += out.find('?') == std::string::npos ? '?' : '&';
  out += "options=-csearch_path%3D";
  out += schema;
  return out;
}

Status PostgresExec(const std::string& url, const std::string& sql) {
  PGconn* conn = PQconnectdb(url.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string msg = PQerrorMessage(conn);
    PQfinish(conn);
    return UnavailableError("cannot connect to " + url + ": " + msg);
  }
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  PGresult* res = PQexec(conn, sql.c_str());
  Status s;
  if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK) {
    s = InternalError(sql + ": " + PQerrorMessage(conn));
  }
  PQclear(res);
  PQfinish(conn);
  return s;
}

Result<std::unique_ptr<TestDatabase>> TestDatabase::Create(std::string_view backend) {
  std::unique_ptr<TestDatabase> db(new TestDatabase());
  db->backend_ = std::string(backend);
  if (backend == "sqlite") {
    std::error_code ec;
    auto dir = std::filesystem::temp_directory_path(ec);
    if (ec) return InternalError("no temp directory: " + ec.message());
    db->sqlite_path_ = (dir / ("tessera-store-test-" + RandomSuffix() + ".db")).string();
    db->options_.sqlite_path = db->sqlite_path_;
    db->options_.pool_size = 4;
    return db;
  }
  if (backend == "postgres") {
    db->admin_url_ = PostgresTestUrl();
    if (db->admin_url_.empty()) {
      return FailedPreconditionError(StrCat({kPostgresUrlEnv, " is not set"}));
    }
    db->schema_ = "tessera_test_" + RandomSuffix();
    TESSERA_RETURN_IF_ERROR(PostgresExec(db->admin_url_, "CREATE SCHEMA " + db->schema_));
    db->options_.database_url = WithSearchPath(db->admin_url_, db->schema_);
    db->options_.pool_size = 8;
    return db;
  }
  return InvalidArgumentError("unknown backend: " + std::string(backend));
}

TestDatabase::~TestDatabase() {
  if (!sqlite_path_.empty()) {
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
      std::filesystem::remove(sqlite_path_ + suffix, ec);
    }
  }
  if (!schema_.empty()) {
    // Best effort: a leftover schema only costs disk space on a throw-away server.
    (void)PostgresExec(admin_url_, "DROP SCHEMA IF EXISTS " + schema_ + " CASCADE");
  }
}

Result<std::unique_ptr<Store>> TestDatabase::OpenStore(bool migrate) const {
  StoreOptions options = options_;
  options.migrate = migrate;
  return store::OpenStore(options);
}

Result<std::unique_ptr<sql::SqlDatabase>> TestDatabase::OpenSql() const {
  if (backend_ == "sqlite") return sql::OpenSqlite({sqlite_path_, /*readers=*/1});
  return sql::OpenPostgres({options_.database_url, /*pool_size=*/2});
}

}  // namespace tessera::store::test
