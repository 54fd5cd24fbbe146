#include "store/sql/sqlite_database.h"

#include <sqlite3.h>

#include <charconv>
#include <cstring>
#include <deque>
#include <mutex>
#include <semaphore>
#include <span>
#include <unordered_map>
#include <vector>

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

  // True when no transaction is open: after COMMIT, or when SQLite rolled one back itself.
  bool InAutocommit() const { return sqlite3_get_autocommit(db_) != 0; }

  // A transaction-control statement, from the statement cache (sqlite3_exec would parse it
  // again for every request).
  Status Control(std::string_view sql) { return Run(sql, {}, nullptr); }

 private:
  Result<sqlite3_stmt*> Prepare(std::string_view sql) {
    auto it = cache_.find(sql);
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

  // Looked up by string_view: a cache hit allocates nothing.
  struct SqlHash {
    using is_transparent = void;
    size_t operator()(std::string_view sql) const { return std::hash<std::string_view>{}(sql); }
  };
  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*, SqlHash, std::equal_to<>> cache_;
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
  // No mmap_size: measured, reading pages through mmap made refresh 40% slower here (the WAL
  // is read with pread anyway, and every commit's checkpointed pages refault).
  std::string pragmas = "PRAGMA foreign_keys=ON;";
  if (writer) {
    pragmas += "PRAGMA journal_mode=WAL;";
    pragmas += opt.synchronous_full ? "PRAGMA synchronous=FULL;" : "PRAGMA synchronous=NORMAL;";
  }
  TESSERA_RETURN_IF_ERROR(conn->ExecScript(pragmas));
  return conn;
}

// Group commit. One thread writes at a time and commits, in one transaction, every write
// queued while the previous commit ran (at most kMaxBatch), each work inside its own
// SAVEPOINT: a work that fails is rolled back to its savepoint alone, the others keep their
// effects. One COMMIT makes the batch durable (as synchronous=NORMAL promises: a process
// crash loses nothing committed) and only then are its callers answered. Why: the commit —
// WAL frames written, a write(2) for each frame's header and page, locks taken and dropped —
// cost more than the statements; one commit pays it once for many requests, and a page
// several works change (the token table's last leaf, an index page) is written once. Works
// run one after another in queue order, so each sees the effects of those before it exactly
// as when each had a transaction of its own. Checkpoints stay SQLite's own, inside the commit
// that takes the WAL past 1000 pages: a checkpointer thread beside the writers was tried and
// never caught up (the WAL restarts only when a checkpoint has copied every frame, and the
// writers kept appending: 800 MB of WAL in 20 s), while one inside the commit holds the lead
// and so always finishes.
//
// The writer is the caller that finds no commit running (the leader); those arriving
// meanwhile queue and sleep. The leader commits its batch, wakes its followers and hands the
// lead to the first caller still queued. A dedicated writer thread was measured first: at 16
// connections it found 1.2 writes per batch on average, and the two extra thread hand-offs
// (futex waits and wake-ups) per write cost more than the batching saved. With a leader, an
// uncontended write runs on its own thread with no hand-off at all.
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
    // A work that writes again from inside a write would wait for its own batch forever.
    if (in_write_) return InternalError("a write transaction cannot start another one");
    PendingWrite self{&work};
    std::unique_lock lock(mu_);
    queue_.push_back(&self);
    if (leading_) {
      lock.unlock();
      self.wake.acquire();
      if (!self.lead) return self.status;  // a leader committed it
      lock.lock();
    }
    // We lead. The queue was empty, or we were first in it when the lead came to us: our own
    // work is in the batch.
    leading_ = true;
    size_t n = std::min(queue_.size(), kMaxBatch);
    std::vector<PendingWrite*> batch(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
    queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
    lock.unlock();
    in_write_ = true;
    CommitBatch(batch);
    in_write_ = false;
    lock.lock();
    PendingWrite* next = nullptr;
    if (!queue_.empty()) {
      next = queue_.front();
      next->lead = true;
    } else {
      leading_ = false;
    }
    lock.unlock();
    for (PendingWrite* p : batch) {
      if (p != &self) p->wake.release();
    }
    if (next) next->wake.release();
    return self.status;
  }

  std::string_view Dialect() const override { return "sqlite"; }

 private:
  // Bounds the latency a batch adds to its first work, and the WAL it writes in one commit.
  static constexpr size_t kMaxBatch = 64;

  struct PendingWrite {
    const SqlWork* work;
    Status status;
    bool lead = false;                // set (under mu_) when this caller is to lead next
    std::binary_semaphore wake{0};    // released once status is final, or lead is set
  };

  static thread_local bool in_write_;

  // Runs the batch's works in as few transactions as possible: one, unless a failing
  // statement made SQLite roll the whole transaction back (an I/O error, a full disk), which
  // takes the works already run down with it.
  void CommitBatch(std::span<PendingWrite* const> batch) {
    size_t next = 0;
    while (next < batch.size()) {
      size_t first = next;
      // IMMEDIATE takes the write lock up front, so a transaction never fails half-way on
      // SQLITE_BUSY when another process (e.g. `tessera admin`) writes too.
      if (Status s = writer_->Control("BEGIN IMMEDIATE"); !s.ok()) {
        for (size_t i = next; i < batch.size(); ++i) batch[i]->status = s;
        return;
      }
      bool lost = false;
      for (; next < batch.size() && !lost; ++next) {
        batch[next]->status = RunInSavepoint(*batch[next]->work);
        lost = writer_->InAutocommit();
      }
      Status end = lost ? UnavailableError("the write transaction was rolled back")
                        : writer_->Control("COMMIT");
      if (end.ok()) continue;
      if (!lost) (void)writer_->Control("ROLLBACK");
      for (size_t i = first; i < next; ++i) {
        if (batch[i]->status.ok()) batch[i]->status = end;
      }
    }
  }

  Status RunInSavepoint(const SqlWork& work) {
    TESSERA_RETURN_IF_ERROR(writer_->Control("SAVEPOINT work"));
    Status s;
    try {
      s = work(*writer_);
    } catch (const std::exception& e) {
      s = InternalError(std::string("write failed: ") + e.what());
    } catch (...) {  // the lead must pass on whatever a work does, or every writer waits forever
      s = InternalError("write failed: an exception");
    }
    if (writer_->InAutocommit()) return s.ok() ? UnavailableError("transaction lost") : s;
    if (s.ok()) s = writer_->Control("RELEASE work");
    if (!s.ok()) {
      (void)writer_->Control("ROLLBACK TO work");
      (void)writer_->Control("RELEASE work");
    }
    return s;
  }

  std::mutex mu_;
  std::deque<PendingWrite*> queue_;  // GUARDED_BY(mu_)
  bool leading_ = false;             // GUARDED_BY(mu_): a caller is committing a batch
  std::unique_ptr<SqliteConnection> writer_;  // used only by the leader
  ConnectionPool<SqliteConnection> readers_;
};

thread_local bool SqliteDatabase::in_write_ = false;

}  // namespace

Result<std::unique_ptr<SqlDatabase>> OpenSqlite(const SqliteOptions& options) {
  auto db = std::make_unique<SqliteDatabase>();
  TESSERA_RETURN_IF_ERROR(db->Init(options));
  return std::unique_ptr<SqlDatabase>(std::move(db));
}

}  // namespace tessera::store::sql
