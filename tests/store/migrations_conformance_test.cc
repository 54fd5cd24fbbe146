// Migrations conformance: sql::Migrate on a migrated and on an empty database, and the two
// dialects' migrations (store/migrations/{sqlite,postgres}) defining the same schema.
// The fixture, the backends and the shared helpers: conformance_fixture.h.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "conformance_fixture.h"
#include "store/sql/migrations.h"

namespace tessera::store::test {
namespace {

TEST_P(StoreConformanceTest, MigrateOnMigratedDatabaseAppliesNothing) {
  auto db = db_->OpenSql();
  ASSERT_OK(db);
  EXPECT_EQ((*db)->Dialect(), GetParam());
  auto applied = sql::Migrate(**db);
  ASSERT_OK(applied);
  EXPECT_THAT(*applied, IsEmpty());

  const auto& embedded = sql::EmbeddedMigrations(GetParam());
  ASSERT_FALSE(embedded.empty());
  auto rows = Query("SELECT version FROM schema_migrations ORDER BY version", {});
  ASSERT_OK(rows);
  std::vector<int64_t> recorded, want;
  for (const auto& r : *rows) recorded.push_back(sql::Int(r, 0));
  for (const auto& m : embedded) want.push_back(m.version);
  EXPECT_EQ(recorded, want);
}

TEST_P(StoreConformanceTest, MigrateAppliesEveryVersionOnceOnAnEmptyDatabase) {
  auto fresh = TestDatabase::Create(GetParam());
  ASSERT_OK(fresh);
  auto db = (*fresh)->OpenSql();
  ASSERT_OK(db);
  auto first = sql::Migrate(**db);
  ASSERT_OK(first);
  std::vector<int> want;
  for (const auto& m : sql::EmbeddedMigrations(GetParam())) want.push_back(m.version);
  EXPECT_EQ(*first, want);
  auto second = sql::Migrate(**db);
  ASSERT_OK(second);
  EXPECT_THAT(*second, IsEmpty());
  db->reset();
}

// ---------------------------------------------------------------------------------------
// Both dialects' migrations define the same tables, columns, nullability and indexes

// What a fully migrated database holds, as far as both dialects can say the same thing.
struct Schema {
  std::map<std::string, bool> columns;         // "table.column" → NOT NULL
  std::map<std::string, std::string> indexes;  // index name → "table (col, …)[ UNIQUE]"
};

// Adds rows of (table, column, not null: 0/1) and of (index, table, unique: 0/1, column), the
// index columns in order.
void AddColumns(const sql::SqlRows& rows, Schema& schema) {
  for (const auto& r : rows) {
    schema.columns[sql::Text(r, 0) + "." + sql::Text(r, 1)] = sql::Int(r, 2) != 0;
  }
}
void AddIndexes(const sql::SqlRows& rows, Schema& schema) {
  std::map<std::string, std::vector<std::string>> columns;
  std::map<std::string, std::string> table_of;
  std::map<std::string, bool> unique;
  for (const auto& r : rows) {
    const std::string name = sql::Text(r, 0);
    table_of[name] = sql::Text(r, 1);
    unique[name] = sql::Int(r, 2) != 0;
    columns[name].push_back(sql::Text(r, 3));
  }
  for (const auto& [name, cols] : columns) {
    std::string def = table_of[name] + " (";
    for (size_t i = 0; i < cols.size(); ++i) def += (i ? ", " : "") + cols[i];
    schema.indexes[name] = def + ")" + (unique[name] ? " UNIQUE" : "");
  }
}

// SQLite: the tables of sqlite_master (less its own sqlite_*), pragma table_info, and the
// indexes made by CREATE INDEX (origin 'c'; not those behind PRIMARY KEY or UNIQUE). A
// primary key column counts as NOT NULL, as PostgreSQL makes it (SQLite, for compatibility,
// does not enforce it on a rowid table's non-INTEGER key, so the migrations do not say it).
constexpr char kSqliteColumns[] = R"(
  SELECT m.name, p.name, CASE WHEN p."notnull" = 1 OR p.pk > 0 THEN 1 ELSE 0 END
  FROM sqlite_master AS m JOIN pragma_table_info(m.name) AS p
  WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\_%' ESCAPE '\'
  ORDER BY m.name, p.cid)";
constexpr char kSqliteIndexes[] = R"(
  SELECT il.name, m.name, il."unique", ii.name
  FROM sqlite_master AS m
    JOIN pragma_index_list(m.name) AS il
    JOIN pragma_index_info(il.name) AS ii
  WHERE m.type = 'table' AND il.origin = 'c'
  ORDER BY il.name, ii.seqno)";
// PostgreSQL: information_schema.columns of the test's schema, and the indexes of its tables
// that no PRIMARY KEY, UNIQUE or EXCLUDE constraint owns.
constexpr char kPostgresColumns[] = R"(
  SELECT table_name::text, column_name::text, CASE WHEN is_nullable = 'NO' THEN 1 ELSE 0 END
  FROM information_schema.columns
  WHERE table_schema = current_schema()
  ORDER BY table_name, ordinal_position)";
constexpr char kPostgresIndexes[] = R"(
  SELECT ic.relname::text, t.relname::text, CASE WHEN i.indisunique THEN 1 ELSE 0 END,
         a.attname::text
  FROM pg_index AS i
    JOIN pg_class AS ic ON ic.oid = i.indexrelid
    JOIN pg_class AS t ON t.oid = i.indrelid
    JOIN pg_namespace AS n ON n.oid = t.relnamespace
    CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
    JOIN pg_attribute AS a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
  WHERE n.nspname = current_schema()
    AND NOT EXISTS (SELECT 1 FROM pg_constraint AS c
                    WHERE c.conindid = i.indexrelid AND c.contype IN ('p', 'u', 'x'))
  ORDER BY 1, k.ord)";

// Applies every migration of `backend` to a fresh database and reads its schema back.
Result<Schema> MigratedSchema(std::string_view backend) {
  TESSERA_ASSIGN_OR_RETURN(std::unique_ptr<TestDatabase> fresh, TestDatabase::Create(backend));
  TESSERA_ASSIGN_OR_RETURN(std::unique_ptr<sql::SqlDatabase> db, fresh->OpenSql());
  TESSERA_RETURN_IF_ERROR(sql::Migrate(*db).status());
  const bool sqlite = backend == "sqlite";
  Schema schema;
  TESSERA_RETURN_IF_ERROR(db->Read([&](sql::SqlConnection& c) -> Status {
    TESSERA_ASSIGN_OR_RETURN(sql::SqlRows columns,
                             c.Query(sqlite ? kSqliteColumns : kPostgresColumns, {}));
    AddColumns(columns, schema);
    TESSERA_ASSIGN_OR_RETURN(sql::SqlRows indexes,
                             c.Query(sqlite ? kSqliteIndexes : kPostgresIndexes, {}));
    AddIndexes(indexes, schema);
    return OkStatus();
  }));
  db.reset();  // before `fresh` removes the database
  return schema;
}

// One line per key that only one of `a` (sqlite) and `b` (postgres) has, or that they map
// to different values.
template <typename V>
std::vector<std::string> Differences(std::string_view what, const std::map<std::string, V>& a,
                                     const std::map<std::string, V>& b,
                                     std::string (*show)(const V&)) {
  std::vector<std::string> out;
  std::map<std::string, int> keys;
  for (const auto& [k, v] : a) keys[k] |= 1;
  for (const auto& [k, v] : b) keys[k] |= 2;
  for (const auto& [k, in] : keys) {
    std::string line = std::string(what) + " " + k + ": ";
    if (in == 1) {
      out.push_back(line + "only in sqlite (" + show(a.at(k)) + ")");
    } else if (in == 2) {
      out.push_back(line + "only in postgres (" + show(b.at(k)) + ")");
    } else if (a.at(k) != b.at(k)) {
      out.push_back(line + show(a.at(k)) + " in sqlite, " + show(b.at(k)) + " in postgres");
    }
  }
  return out;
}

std::string ShowNullability(const bool& not_null) { return not_null ? "NOT NULL" : "NULL"; }
std::string ShowIndex(const std::string& def) { return def; }

TEST(MigrationSchemaTest, SqliteAndPostgresDefineTheSameTablesColumnsAndIndexes) {
  if (PostgresTestUrl().empty()) {
    GTEST_SKIP() << "needs PostgreSQL: set " << kPostgresUrlEnv
                 << " (e.g. from scripts/postgres-test-server.sh start DIR) to compare the "
                    "SQLite and PostgreSQL migrations";
  }
  auto sqlite = MigratedSchema("sqlite");
  ASSERT_OK(sqlite);
  auto postgres = MigratedSchema("postgres");
  ASSERT_OK(postgres);
  // Not comparing two empty readings: a table of every migration is there.
  for (const char* column :
       {"users.email_normalized", "oauth_clients.client_id", "authorization_codes.code_hash",
        "mail_outbox.subject", "audit_events.action", "app_api_keys.key_hash",
        "mfa_factors.credential_id", "schema_migrations.version"}) {
    EXPECT_TRUE(sqlite->columns.contains(column)) << column << " not read from sqlite";
    EXPECT_TRUE(postgres->columns.contains(column)) << column << " not read from postgres";
  }
  EXPECT_TRUE(sqlite->indexes.contains("users_email_uq")) << "indexes not read from sqlite";
  EXPECT_TRUE(postgres->indexes.contains("users_email_uq")) << "indexes not read from postgres";

  std::vector<std::string> diffs =
      Differences("column", sqlite->columns, postgres->columns, &ShowNullability);
  for (auto& d : Differences("index", sqlite->indexes, postgres->indexes, &ShowIndex)) {
    diffs.push_back(std::move(d));
  }
  std::ostringstream message;
  for (const auto& d : diffs) message << "\n  " << d;
  EXPECT_TRUE(diffs.empty()) << "src/store/migrations/sqlite and src/store/migrations/postgres "
                                "define different schemas ("
                             << diffs.size() << " differences; " << sqlite->columns.size()
                             << " and " << postgres->columns.size() << " columns, "
                             << sqlite->indexes.size() << " and " << postgres->indexes.size()
                             << " indexes):" << message.str();
}

}  // namespace
}  // namespace tessera::store::test
