#include "store/sql/sqlite_database.h"

#include <sqlite3.h>

#include <charconv>
#include <cstring>
#include <mutex>
#include <unordered_map>

#include "store/sql/connection_pool.h"
#include "store/sql/unique_keys.h"

namespace tessera::store::sql {
namespace {

// SQLite's message for a unique or primary key violation, before the key's columns
// ("users.app_id, users.email_normalized"): fixed since SQLite 3.8.2.
constexpr std::string_view kUniqueFailed = "UNIQUE constraint failed: ";

Status SqliteError(sqlite3* db, int rc, std::string_view what) {
  int ext = sqlite3_extended_errcode(db);
  std::string_view detail = sqlite3_errmsg(db);
  std::string msg = std::string(what) + ": " + std::string(detail);
  if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY) {
    if (!detail.starts_with(kUniqueFailed)) return InternalError(msg);
    return UniqueViolation("sqlite", detail.substr(kUniqueFailed.size()));
  }
  if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) return UnavailableError(msg);
  return InternalError(msg);
}

class SqliteConnection final : public SqlConnection {
 public:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  ~SqliteConnection() override {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
  }

  Result<SqlRows> Query(std::string_view sql, std::span<const SqlValue> params) override {
    SqlRows rows;
    TESSERA_RETURN_IF_ERROR(Run(sql, params, &rows));
    return rows;
  }

  Result<int64_t> Exec(std::string_view sql, std::span<const SqlValue> params) override {
    TESSERA_RETURN_IF_ERROR(Run(sql, params, nullptr));
    return static_cast<int64_t>(sqlite3_changes(db_));
  }

  Status ExecScript(std::string_view sql) override {
    std::string text(sql);
    char* err = nullptr;
    if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "unknown error";
      sqlite3_free(err);
      return InternalError("sqlite script failed: " + msg);
    }
    return OkStatus();
  }

 private:
  Result<sqlite3_stmt*> Prepare(std::string_view sql) {
    auto it = cache_.find(std::string(sql));
    if (it != cache_.end()) return it->second;
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return SqliteError(db_, rc, "prepare");
    cache_.emplace(std::string(sql), stmt);
    return stmt;
  }

  // Binds `$N` parameters by their number, whatever order they first appear in.
  Status Bind(sqlite3_stmt* stmt, std::span<const SqlValue> params) {
    int count = sqlite3_bind_parameter_count(stmt);
    for (int i = 1; i <= count; ++i) {
      const char* name = sqlite3_bind_parameter_name(stmt, i);
      size_t n = 0;
      if (!name || name[0] != '$' ||
          std::from_chars(name + 1, name + strlen(name), n).ec != std::errc() || n == 0 ||
          n > params.size()) {
        return InternalError("statement parameter has no value");
      }
      const SqlValue& v = params[n - 1];
      int rc = SQLITE_OK;
      if (const auto* s = std::get_if<std::string>(&v)) {
        rc = sqlite3_bind_text(stmt, i, s->data(), static_cast<int>(s->size()), SQLITE_STATIC);
      } else if (const auto* x = std::get_if<int64_t>(&v)) {
        rc = sqlite3_bind_int64(stmt, i, *x);
      } else {
        rc = sqlite3_bind_null(stmt, i);
      }
      if (rc != SQLITE_OK) return SqliteError(db_, rc, "bind");
    }
    return OkStatus();
  }

  Status Run(std::string_view sql, std::span<const SqlValue> params, SqlRows* rows) {
    TESSERA_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql));
    struct Reset {
      sqlite3_stmt* s;
      ~Reset() { sqlite3_reset(s); sqlite3_clear_bindings(s); }
    } reset{stmt};
    TESSERA_RETURN_IF_ERROR(Bind(stmt, params));
    for (;;) {
      int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) return OkStatus();
      if (rc != SQLITE_ROW) return SqliteError(db_, rc, "step");
      if (!rows) continue;
      SqlRow row;
      int cols = sqlite3_column_count(stmt);
      row.reserve(cols);
      for (int c = 0; c < cols; ++c) {
        switch (sqlite3_column_type(stmt, c)) {
          case SQLITE_NULL: row.emplace_back(std::monostate{}); break;
          case SQLITE_INTEGER: row.emplace_back(int64_t{sqlite3_column_int64(stmt, c)}); break;
          default: {
            const auto* t = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
            row.emplace_back(std::string(t ? t : "", sqlite3_column_bytes(stmt, c)));
          }
        }
      }
      rows->push_back(std::move(row));
    }
  }

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

Result<std::unique_ptr<SqliteConnection>> Connect(const SqliteOptions& opt, bool writer) {
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(opt.path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close_v2(db);
    return UnavailableError("cannot open SQLite database " + opt.path + ": " + msg);
  }
  auto conn = std::make_unique<SqliteConnection>(db);
  sqlite3_busy_timeout(db, 5000);
  std::string pragmas = "PRAGMA foreign_keys=ON;";
  if (writer) {
    pragmas += "PRAGMA journal_mode=WAL;";
    pragmas += opt.synchronous_full ? "PRAGMA synchronous=FULL;" : "PRAGMA synchronous=NORMAL;";
  }
  TESSERA_RETURN_IF_ERROR(conn->ExecScript(pragmas));
  return conn;
}

class SqliteDatabase final : public SqlDatabase {
 public:
  Status Init(const SqliteOptions& opt) {
    TESSERA_ASSIGN_OR_RETURN(writer_, Connect(opt, /*writer=*/true));
    for (int i = 0; i < std::max(1, opt.readers); ++i) {
      TESSERA_ASSIGN_OR_RETURN(auto reader, Connect(opt, /*writer=*/false));
      readers_.Add(std::move(reader));
    }
    return OkStatus();
  }

  Status Read(const SqlWork& work) override {
    auto conn = readers_.Acquire();
    return work(*conn);
  }

  Status Write(const SqlWork& work) override {
    std::lock_guard lock(write_mu_);
    // IMMEDIATE takes the write lock up front, so a transaction never fails half-way on
    // SQLITE_BUSY when another process (e.g. `tessera admin`) writes too.
    return RunTransaction(*writer_, "BEGIN IMMEDIATE", work);
  }

  std::string_view Dialect() const override { return "sqlite"; }

 private:
  std::mutex write_mu_;
  std::unique_ptr<SqliteConnection> writer_;  // GUARDED_BY(write_mu_)
  ConnectionPool<SqliteConnection> readers_;
};

}  // namespace

Result<std::unique_ptr<SqlDatabase>> OpenSqlite(const SqliteOptions& options) {
  auto db = std::make_unique<SqliteDatabase>();
  TESSERA_RETURN_IF_ERROR(db->Init(options));
  return std::unique_ptr<SqlDatabase>(std::move(db));
}

}  // namespace tessera::store::sql
