#include "store/sql/migrations.h"

#include "base/clock.h"

namespace tessera::store::sql {
namespace {

constexpr std::string_view kCreateTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)";

// PostgreSQL: an advisory lock held to the end of the transaction serialises nodes that
// start together; SQLite's BEGIN IMMEDIATE already did.
Status LockForMigration(SqlDatabase& db, SqlConnection& conn) {
  if (db.Dialect() != "postgres") return OkStatus();
  return conn.Query("SELECT pg_advisory_xact_lock(7423911)", {}).status().ok()
             ? OkStatus()
             : UnavailableError("could not take the migration lock");
}

}  // namespace

Result<bool> HasSchema(SqlDatabase& db) {
  bool found = false;
  TESSERA_RETURN_IF_ERROR(db.Read([&](SqlConnection& conn) -> Status {
    std::string_view probe = db.Dialect() == "postgres"
                                 ? "SELECT 1 FROM pg_tables WHERE tablename = 'schema_migrations'"
                                   " AND schemaname = ANY (current_schemas(false))"
                                 : "SELECT 1 FROM sqlite_master WHERE type = 'table'"
                                   " AND name = 'schema_migrations'";
    TESSERA_ASSIGN_OR_RETURN(SqlRows table, conn.Query(probe, {}));
    if (table.empty()) return OkStatus();
    TESSERA_ASSIGN_OR_RETURN(SqlRows rows, conn.Query("SELECT 1 FROM schema_migrations LIMIT 1", {}));
    found = !rows.empty();
    return OkStatus();
  }));
  return found;
}

Result<std::vector<int>> Migrate(SqlDatabase& db) {
  std::vector<int> applied;
  for (const Migration& m : EmbeddedMigrations(db.Dialect())) {
    Status s = db.Write([&](SqlConnection& conn) -> Status {
      TESSERA_RETURN_IF_ERROR(LockForMigration(db, conn));
      TESSERA_RETURN_IF_ERROR(conn.ExecScript(kCreateTable));
      TESSERA_ASSIGN_OR_RETURN(
          SqlRows done, conn.Query("SELECT 1 FROM schema_migrations WHERE version = $1",
                                   {int64_t{m.version}}));
      if (!done.empty()) return OkStatus();
      TESSERA_RETURN_IF_ERROR(conn.ExecScript(m.sql));
      TESSERA_RETURN_IF_ERROR(
          conn.Exec("INSERT INTO schema_migrations (version, name, applied_at) "
                    "VALUES ($1, $2, $3)",
                    {int64_t{m.version}, std::string(m.name), SystemClock().NowMillis()})
              .status());
      applied.push_back(m.version);
      return OkStatus();
    });
    if (!s.ok()) return Status(s.code(), "migration " + std::string(m.name) + ": " + s.message());
  }
  return applied;
}

}  // namespace tessera::store::sql
