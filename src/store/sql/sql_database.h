// File: sql_database.h
// The seam between the SQL store and a database engine. One SQL text serves both engines:
// statements use `$1, $2, …` placeholders, which PostgreSQL reads natively and SQLite reads
// as named parameters; only DDL (migrations/<dialect>/) differs per engine, and an import's set
// lookups (sql_store_imports.cc says why). Values are NULL, 64-bit integers or text; booleans
// are 0/1 integers and times are BIGINT milliseconds.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/enum_text.h"
#include "base/result.h"

namespace tessera::store::sql {

using SqlValue = std::variant<std::monostate, int64_t, std::string>;
using SqlRow = std::vector<SqlValue>;
using SqlRows = std::vector<SqlRow>;

SqlValue Null();
SqlValue Opt(const std::optional<std::string>& v);
SqlValue Opt(const std::optional<int64_t>& v);

// Column readers: NULL reads as "" / 0 / nullopt.
std::string Text(const SqlRow& row, size_t i);
int64_t Int(const SqlRow& row, size_t i);
std::optional<std::string> OptText(const SqlRow& row, size_t i);
std::optional<int64_t> OptInt(const SqlRow& row, size_t i);

// A column of a closed set of strings (base/enum_text.h), named `column` for the error: its
// value, or kInternal for text its table does not have — never a default in its place.
template <TextEnum E>
Result<E> EnumColumn(const SqlRow& row, size_t i, std::string_view column) {
  std::string text = Text(row, i);
  if (std::optional<E> value = FromText<E>(text)) return *value;
  return InternalError("unknown value in " + std::string(column) + ": \"" + text + "\"");
}
// The text a closed-set value is stored as.
template <TextEnum E>
SqlValue EnumValue(E value) {
  return std::string(ToText(value));
}

// One statement with its parameters, for SqlConnection::ExecAll. `sql` is not copied: it must
// outlive the call (the store's statements are constants).
struct SqlStatement {
  std::string_view sql;
  std::vector<SqlValue> params;
};

class SqlConnection {
 public:
  virtual ~SqlConnection() = default;
  virtual Result<SqlRows> Query(std::string_view sql, std::span<const SqlValue> params) = 0;
  // As Query, for a statement whose best plan depends on its parameters (a set of keys bound
  // as one JSON array) and on how big its tables are now. PostgreSQL plans it anew at each run
  // instead of reusing a prepared statement's generic plan, which is kept once made: one made
  // while an import's tables were nearly empty went on scanning them whole, every batch, as
  // they grew. SQLite plans from its indexes, not from table sizes: as Query.
  virtual Result<SqlRows> QueryPlannedEachRun(std::string_view sql,
                                              std::span<const SqlValue> params) {
    return Query(sql, params);
  }
  // Returns the number of rows changed.
  virtual Result<int64_t> Exec(std::string_view sql, std::span<const SqlValue> params) = 0;
  // Runs `statements` in order, as Exec would one by one, and stops at the first that fails:
  // its error is returned (the ones before it ran; roll the transaction back). For a write
  // transaction's work (SqlDatabase::Write). PostgreSQL sends them together (libpq pipeline
  // mode: one round trip to the server for many statements instead of one each); SQLite, which
  // has no round trips, runs them one by one.
  virtual Status ExecAll(std::span<const SqlStatement> statements);
  // Runs several ;-separated statements without parameters (migrations).
  virtual Status ExecScript(std::string_view sql) = 0;

  Result<SqlRows> Query(std::string_view sql, std::initializer_list<SqlValue> params) {
    return Query(sql, std::span<const SqlValue>(params.begin(), params.size()));
  }
  Result<SqlRows> QueryPlannedEachRun(std::string_view sql,
                                      std::initializer_list<SqlValue> params) {
    return QueryPlannedEachRun(sql, std::span<const SqlValue>(params.begin(), params.size()));
  }
  Result<int64_t> Exec(std::string_view sql, std::initializer_list<SqlValue> params) {
    return Exec(sql, std::span<const SqlValue>(params.begin(), params.size()));
  }
};

using SqlWork = std::function<Status(SqlConnection&)>;

class SqlDatabase {
 public:
  virtual ~SqlDatabase() = default;
  // Runs `work` on a connection for reads, outside any explicit transaction.
  virtual Status Read(const SqlWork& work) = 0;
  // Runs `work` inside one write transaction: committed when it returns OK, rolled back
  // otherwise (its Status is returned unchanged).
  virtual Status Write(const SqlWork& work) = 0;
  virtual std::string_view Dialect() const = 0;  // "sqlite" | "postgres"
};

}  // namespace tessera::store::sql
