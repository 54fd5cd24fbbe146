// Unique keys conformance: the table of the schema's unique keys (store/sql/unique_keys.h)
// against the live schema of each engine — every unique key the migrations make has a row,
// under the name this engine gives it, and every row names a key that exists. That each key
// is reported for a clash on it is checked beside its interface (EXPECT_CLASH in
// users_conformance_test.cc, sessions_conformance_test.cc, …).
// The fixture, the backends and the shared helpers: conformance_fixture.h.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "conformance_fixture.h"
#include "store/sql/unique_keys.h"

namespace tessera::store::test {
namespace {

// SQLite: every unique index (behind a PRIMARY KEY, a UNIQUE or a CREATE UNIQUE INDEX) with
// its columns in order; PostgreSQL: every unique index of the test's schema (a violated
// primary key or UNIQUE constraint is named as its index is).
constexpr char kSqliteUniqueKeys[] = R"(
  SELECT m.name, il.name, ii.name
  FROM sqlite_master AS m
    JOIN pragma_index_list(m.name) AS il
    JOIN pragma_index_info(il.name) AS ii
  WHERE m.type = 'table' AND il."unique" = 1
  ORDER BY m.name, il.name, ii.seqno)";
constexpr char kPostgresUniqueKeys[] = R"(
  SELECT t.relname::text, ic.relname::text
  FROM pg_index AS i
    JOIN pg_class AS ic ON ic.oid = i.indexrelid
    JOIN pg_class AS t ON t.oid = i.indrelid
    JOIN pg_namespace AS n ON n.oid = t.relnamespace
  WHERE n.nspname = current_schema() AND i.indisunique
  ORDER BY 1, 2)";

// The schema's unique keys as this engine names them on a violation → their table.
std::map<std::string, std::string> LiveUniqueKeys(const sql::SqlRows& rows, bool sqlite) {
  std::map<std::string, std::string> out;
  std::map<std::string, std::string> columns;  // SQLite: index → "t.a, t.b"
  std::map<std::string, std::string> table_of;
  for (const auto& r : rows) {
    const std::string table = sql::Text(r, 0), index = sql::Text(r, 1);
    if (!sqlite) {
      out[index] = table;
      continue;
    }
    std::string& cols = columns[index];
    cols += (cols.empty() ? "" : ", ") + table + "." + sql::Text(r, 2);
    table_of[index] = table;
  }
  for (const auto& [index, cols] : columns) out[cols] = table_of[index];
  return out;
}

bool NeverViolated(const std::string& table) {
  return std::find(std::begin(sql::kKeysNeverViolated), std::end(sql::kKeysNeverViolated), table) !=
         std::end(sql::kKeysNeverViolated);
}

TEST_P(StoreConformanceTest, EveryUniqueKeyOfTheSchemaHasATypedKey) {
  const bool sqlite = GetParam() == "sqlite";
  auto rows = Query(sqlite ? kSqliteUniqueKeys : kPostgresUniqueKeys, {});
  ASSERT_OK(rows);
  std::map<std::string, std::string> live = LiveUniqueKeys(*rows, sqlite);
  ASSERT_TRUE(live.contains(sqlite ? "users.app_id, users.email_normalized" : "users_email_uq"))
      << "unique keys not read";
  // The latest migration's keys are there too (the checks below cover every one; these say
  // that the schema read is the whole of it).
  for (const char* key :
       {"mfa_factors_pkey", "mfa_factors_credential_id_uq", "mfa_recovery_codes_pkey",
        "mfa_recovery_codes_code_hash_uq", "mfa_challenges_pkey"}) {
    const auto names = sql::UniqueKeyNames();
    const auto row =
        std::find_if(names.begin(), names.end(), [&](const auto& k) { return k.postgres == key; });
    ASSERT_TRUE(row != names.end()) << key << " has no row in store/sql/unique_keys.cc";
    EXPECT_TRUE(live.contains(std::string(sqlite ? row->sqlite : row->postgres))) << key;
  }

  std::set<std::string> in_table;
  for (const auto& k : sql::UniqueKeyNames()) {
    in_table.insert(std::string(sqlite ? k.sqlite : k.postgres));
  }
  for (const auto& [name, table] : live) {
    if (NeverViolated(table)) continue;
    EXPECT_TRUE(in_table.contains(name))
        << "unique key " << name << " of " << table
        << " has no row in store/sql/unique_keys.cc: a clash on it would be kInternal";
  }
  for (const auto& name : in_table) {
    EXPECT_TRUE(live.contains(name)) << "store/sql/unique_keys.cc names " << name << ", which the "
                                     << GetParam() << " schema does not have";
  }
}

TEST(UniqueKeyTable, EachTypedKeyOnce) {
  auto keys = sql::UniqueKeyNames();
  for (size_t i = 0; i < keys.size(); ++i) {
    EXPECT_FALSE(keys[i].field.empty()) << keys[i].postgres;
    for (size_t j = i + 1; j < keys.size(); ++j) {
      EXPECT_FALSE(keys[i].key == keys[j].key) << keys[i].postgres << " and " << keys[j].postgres;
    }
  }
}

TEST(UniqueKeyTable, ViolationsAreTypedOrInternal) {
  Status email = sql::UniqueViolation("postgres", "users_email_uq");
  EXPECT_TRUE(email.ClashedOn(UserUniqueKey::kEmail)) << email.ToString();
  EXPECT_FALSE(email.ClashedOn(UserUniqueKey::kUsername));
  EXPECT_FALSE(email.ClashedOn(AppUniqueKey::kId)) << "a key of another interface never matches";
  EXPECT_EQ(email.message(), "email");
  EXPECT_TRUE(sql::UniqueViolation("sqlite", "users.app_id, users.username_normalized")
                  .ClashedOn(UserUniqueKey::kUsername));
  EXPECT_TRUE(sql::UniqueViolation("sqlite", "apps.id").ClashedOn(AppUniqueKey::kId));
  EXPECT_TRUE(sql::UniqueViolation("postgres", "linked_identities_user_provider_uq")
                  .ClashedOn(LinkedIdentityUniqueKey::kUserProvider));
  EXPECT_TRUE(
      sql::UniqueViolation("sqlite", "linked_identities.provider_id, linked_identities.subject")
          .ClashedOn(LinkedIdentityUniqueKey::kProviderSubject));
  EXPECT_FALSE(sql::UniqueViolation("sqlite", "identity_providers.id")
                   .ClashedOn(LinkedIdentityUniqueKey::kId))
      << "kId of one interface is not kId of another";
  Status unknown = sql::UniqueViolation("sqlite", "users.nickname");
  EXPECT_EQ(unknown.code(), StatusCode::kInternal);
  EXPECT_FALSE(unknown.unique_key().has_value());
  // The engine's names never cross: a PostgreSQL name is unknown to the SQLite column.
  EXPECT_EQ(sql::UniqueViolation("sqlite", "users_email_uq").code(), StatusCode::kInternal);
}

}  // namespace
}  // namespace tessera::store::test
