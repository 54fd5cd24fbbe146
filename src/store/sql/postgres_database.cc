#include "store/sql/postgres_database.h"

#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <unordered_map>

#include "base/log.h"
#include "store/sql/connection_pool.h"
#include "store/sql/unique_keys.h"

namespace tessera::store::sql {
namespace {

// Type OIDs from pg_type.h (server headers are not needed for three constants).
constexpr Oid kInt8Oid = 20, kInt2Oid = 21, kInt4Oid = 23;
constexpr std::string_view kUniqueViolation = "23505";

using PgResult = std::unique_ptr<PGresult, decltype(&PQclear)>;

// libpq's messages end in a newline and may run to several lines (a DETAIL, a HINT).
std::string FirstLine(const char* message) {
  std::string_view m = message ? message : "";
  return std::string(m.substr(0, m.find('\n')));
}

class PostgresConnection final : public SqlConnection {
 public:
  explicit PostgresConnection(PGconn* conn) : conn_(conn) {}
  ~PostgresConnection() override { PQfinish(conn_); }

  // A connection that dropped (server restart, failover, network) is reset before reuse.
  // One that sat idle in the pool through a restart still says CONNECTION_OK: the server's
  // goodbye ("terminating connection…") and the socket's end wait unread until the next
  // query, which would then fail. A pooled connection is idle between uses and listens to
  // nothing, so anything waiting on its socket means the server ended the session: reset it.
  Status EnsureAlive() {
    const char* why = nullptr;
    if (PQstatus(conn_) != CONNECTION_OK) {
      why = "broken";
    } else if (HasUnreadInput()) {
      why = "the server ended the session";
    } else {
      return OkStatus();
    }
    LogJson(spdlog::level::warn, "database_connection_lost",
            {{"cause", why}, {"action", "reconnecting"}});
    PQreset(conn_);
    prepared_.clear();
    if (PQstatus(conn_) != CONNECTION_OK) {
      return UnavailableError("PostgreSQL unreachable: " + FirstLine(PQerrorMessage(conn_)));
    }
    return OkStatus();
  }

  // An idle connection has nothing to read unless the server spoke first: an asynchronous
  // notice, or the end of the session.
  bool HasUnreadInput() {
    pollfd fd{PQsocket(conn_), POLLIN, 0};
    return fd.fd >= 0 && poll(&fd, 1, 0) > 0;
  }

  Result<SqlRows> Query(std::string_view sql, std::span<const SqlValue> params) override {
    TESSERA_ASSIGN_OR_RETURN(PgResult res, Run(sql, params));
    return Rows(res.get());
  }

  // The unnamed statement: parsed and planned for these parameters at each run.
  Result<SqlRows> QueryPlannedEachRun(std::string_view sql,
                                      std::span<const SqlValue> params) override {
    const std::string text(sql);
    TextParams p(params);
    if (begin_deferred_) {
      TESSERA_ASSIGN_OR_RETURN(PgResult res, BeginAndRun([&] {
        return PQsendQueryParams(conn_, text.c_str(), p.size(), nullptr, p.values(), nullptr,
                                 nullptr, 0);
      }));
      return Rows(res.get());
    }
    PgResult res(
        PQexecParams(conn_, text.c_str(), p.size(), nullptr, p.values(), nullptr, nullptr, 0),
        PQclear);
    TESSERA_RETURN_IF_ERROR(Check(res.get(), "query"));
    return Rows(res.get());
  }

  SqlRows Rows(PGresult* res) {
    SqlRows rows;
    int n = PQntuples(res), cols = PQnfields(res);
    rows.reserve(n);
    for (int r = 0; r < n; ++r) {
      SqlRow row;
      row.reserve(cols);
      for (int c = 0; c < cols; ++c) {
        if (PQgetisnull(res, r, c)) {
          row.emplace_back(std::monostate{});
          continue;
        }
        std::string_view v(PQgetvalue(res, r, c), PQgetlength(res, r, c));
        Oid t = PQftype(res, c);
        if (t == kInt8Oid || t == kInt4Oid || t == kInt2Oid) {
          row.emplace_back(int64_t{std::stoll(std::string(v))});
        } else {
          row.emplace_back(std::string(v));
        }
      }
      rows.push_back(std::move(row));
    }
    return rows;
  }

  Result<int64_t> Exec(std::string_view sql, std::span<const SqlValue> params) override {
    TESSERA_ASSIGN_OR_RETURN(PgResult res, Run(sql, params));
    const char* n = PQcmdTuples(res.get());
    return static_cast<int64_t>(n && *n ? std::stoll(n) : 0);
  }

  // Pipelines of at most kPipelineDepth statements, each answered at its sync point: one round
  // trip per pipeline. (libpq reads while it cannot send, so a deeper one would not deadlock;
  // the bound keeps the results waiting to be read, and the work lost to a failure, small.)
  Status ExecAll(std::span<const SqlStatement> statements) override {
    // Statements are prepared before the pipeline (PQprepare waits for its answer).
    for (const SqlStatement& st : statements) TESSERA_RETURN_IF_ERROR(Prepared(st.sql).status());
    for (size_t first = 0; first < statements.size(); first += kPipelineDepth) {
      auto part = statements.subspan(first, std::min(kPipelineDepth, statements.size() - first));
      TESSERA_RETURN_IF_ERROR(RunPipeline(part));
    }
    return OkStatus();
  }

  Status ExecScript(std::string_view sql) override {
    TESSERA_RETURN_IF_ERROR(BeginIfDeferred());
    PgResult res(PQexec(conn_, std::string(sql).c_str()), PQclear);
    return Check(res.get(), "script");
  }

  // A write transaction's BEGIN is not sent on its own: it goes out in one pipeline with the
  // transaction's first statement, which saves a round trip to the server per write (a
  // refresh: 4 instead of 5). A transaction that runs no statement sends nothing at all.
  void DeferBegin() {
    begin_deferred_ = true;
    in_transaction_ = false;
  }
  // Whether a statement ran since DeferBegin (so COMMIT or ROLLBACK must follow).
  bool InTransaction() const { return in_transaction_; }
  void EndTransaction() { begin_deferred_ = in_transaction_ = false; }

 private:
  Status BeginIfDeferred() {
    if (!begin_deferred_) return OkStatus();
    begin_deferred_ = false;
    in_transaction_ = true;
    PgResult res(PQexec(conn_, "BEGIN"), PQclear);
    return Check(res.get(), "begin");
  }

  // BEGIN and the statement `send` sends, sent together and answered together (libpq
  // pipeline mode).
  template <typename Send>
  Result<PgResult> BeginAndRun(const Send& send) {
    begin_deferred_ = false;
    in_transaction_ = true;
    if (PQenterPipelineMode(conn_) != 1 ||
        PQsendQueryParams(conn_, "BEGIN", 0, nullptr, nullptr, nullptr, nullptr, 0) != 1 ||
        send() != 1 || PQpipelineSync(conn_) != 1) {
      DrainPipeline();
      return UnavailableError(std::string("postgres pipeline: ") + PQerrorMessage(conn_));
    }
    PgResult begin = NextResult();
    PgResult statement = NextResult();
    DrainPipeline();
    TESSERA_RETURN_IF_ERROR(Check(begin.get(), "begin"));
    TESSERA_RETURN_IF_ERROR(Check(statement.get(), "query"));
    return statement;
  }

  static constexpr size_t kPipelineDepth = 1000;

  // One pipeline: the deferred BEGIN if any, the statements, a sync; then their results in
  // order. The first failure is returned; the server skipped the statements after it.
  Status RunPipeline(std::span<const SqlStatement> statements) {
    const bool begin = begin_deferred_;
    if (PQenterPipelineMode(conn_) != 1) {
      return UnavailableError(std::string("postgres pipeline: ") + PQerrorMessage(conn_));
    }
    if (begin) {  // from here on, ending the transaction is the caller's (as in BeginAndRun)
      begin_deferred_ = false;
      in_transaction_ = true;
    }
    bool sent = !begin || PQsendQueryParams(conn_, "BEGIN", 0, nullptr, nullptr, nullptr,
                                            nullptr, 0) == 1;
    for (size_t i = 0; sent && i < statements.size(); ++i) {
      const std::string& name = prepared_.at(std::string(statements[i].sql));
      TextParams p(statements[i].params);
      sent = PQsendQueryPrepared(conn_, name.c_str(), p.size(), p.values(), nullptr, nullptr,
                                 0) == 1;
    }
    if (!sent || PQpipelineSync(conn_) != 1) {
      DrainPipeline();
      return UnavailableError(std::string("postgres pipeline: ") + PQerrorMessage(conn_));
    }
    // Every result is read (after a failure, the skipped statements' "aborted" ones), so the
    // pipeline ends at its sync point.
    Status failed;
    if (begin) {
      PgResult res = NextResult();
      failed = Check(res.get(), "begin");
    }
    for (size_t i = 0; i < statements.size(); ++i) {
      PgResult res = NextResult();
      if (failed.ok()) failed = Check(res.get(), "query");
    }
    DrainPipeline();
    return failed;
  }

  // A statement's parameters as libpq takes them: text, or null for NULL.
  class TextParams {
   public:
    explicit TextParams(std::span<const SqlValue> params)
        : text_(params.size()), values_(params.size(), nullptr) {
      for (size_t i = 0; i < params.size(); ++i) {
        if (const auto* s = std::get_if<std::string>(&params[i])) {
          values_[i] = s->c_str();
        } else if (const auto* x = std::get_if<int64_t>(&params[i])) {
          text_[i] = std::to_string(*x);
          values_[i] = text_[i].c_str();
        }
      }
    }
    int size() const { return static_cast<int>(values_.size()); }
    const char* const* values() const { return values_.data(); }

   private:
    std::vector<std::string> text_;
    std::vector<const char*> values_;
  };

  // The next query's result in pipeline mode (each query's results end with a null).
  PgResult NextResult() {
    PgResult res(PQgetResult(conn_), PQclear);
    if (res) {
      while (PGresult* extra = PQgetResult(conn_)) PQclear(extra);
    }
    return res;
  }

  // Reads up to the pipeline's sync point and leaves pipeline mode.
  void DrainPipeline() {
    for (int i = 0; i < 8 && PQpipelineStatus(conn_) != PQ_PIPELINE_OFF; ++i) {
      while (PGresult* r = PQgetResult(conn_)) {
        bool sync = PQresultStatus(r) == PGRES_PIPELINE_SYNC;
        PQclear(r);
        if (sync) break;
      }
      if (PQexitPipelineMode(conn_) == 1) return;
    }
  }

  Status Check(PGresult* res, std::string_view what) {
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return OkStatus();
    std::string msg = std::string("postgres ") + std::string(what) + ": " + PQerrorMessage(conn_);
    const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    if (state && kUniqueViolation == state) {
      const char* constraint = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME);
      if (!constraint) return InternalError(msg);
      return UniqueViolation("postgres", constraint);  // e.g. "users_email_uq"
    }
    if (PQstatus(conn_) != CONNECTION_OK) {
      // The cause of the 503 the request gets (a connection error names no data).
      LogJson(spdlog::level::warn, "database_connection_lost",
              {{"error", FirstLine(PQerrorMessage(conn_))}, {"during", std::string(what)}});
      return UnavailableError(msg);
    }
    return InternalError(msg);
  }

  Result<std::string> Prepared(std::string_view sql) {
    auto it = prepared_.find(std::string(sql));
    if (it != prepared_.end()) return it->second;
    std::string name = "s" + std::to_string(prepared_.size());
    PgResult res(PQprepare(conn_, name.c_str(), std::string(sql).c_str(), 0, nullptr), PQclear);
    TESSERA_RETURN_IF_ERROR(Check(res.get(), "prepare"));
    prepared_.emplace(std::string(sql), name);
    return name;
  }

  Result<PgResult> Run(std::string_view sql, std::span<const SqlValue> params) {
    TESSERA_ASSIGN_OR_RETURN(std::string name, Prepared(sql));
    TextParams p(params);
    if (begin_deferred_) {
      return BeginAndRun([&] {
        return PQsendQueryPrepared(conn_, name.c_str(), p.size(), p.values(), nullptr, nullptr, 0);
      });
    }
    PgResult res(PQexecPrepared(conn_, name.c_str(), p.size(), p.values(), nullptr, nullptr, 0),
                 PQclear);
    TESSERA_RETURN_IF_ERROR(Check(res.get(), "query"));
    return res;
  }

  PGconn* conn_;
  std::unordered_map<std::string, std::string> prepared_;  // sql -> statement name
  bool begin_deferred_ = false;  // a write transaction started; BEGIN not sent yet
  bool in_transaction_ = false;  // BEGIN sent for the current write transaction
};

class PostgresDatabase final : public SqlDatabase {
 public:
  Status Init(const PostgresOptions& opt) {
    for (int i = 0; i < std::max(1, opt.pool_size); ++i) {
      PGconn* c = PQconnectdb(opt.url.c_str());
      if (PQstatus(c) != CONNECTION_OK) {
        std::string msg = PQerrorMessage(c);
        PQfinish(c);
        return UnavailableError("cannot connect to PostgreSQL: " + msg);
      }
      PQsetNoticeProcessor(c, [](void*, const char*) {}, nullptr);  // keep NOTICEs out of logs
      pool_.Add(std::make_unique<PostgresConnection>(c));
    }
    return OkStatus();
  }

  Status Read(const SqlWork& work) override {
    auto conn = pool_.Acquire();
    TESSERA_RETURN_IF_ERROR(conn->EnsureAlive());
    return work(*conn);
  }

  Status Write(const SqlWork& work) override {
    auto conn = pool_.Acquire();
    TESSERA_RETURN_IF_ERROR(conn->EnsureAlive());
    conn->DeferBegin();
    Status s;
    try {
      s = work(*conn);
    } catch (...) {  // the connection goes back to the pool: never with a transaction open
      if (conn->InTransaction()) (void)conn->ExecScript("ROLLBACK");
      conn->EndTransaction();
      throw;
    }
    if (conn->InTransaction()) {
      if (s.ok()) s = conn->ExecScript("COMMIT");
      if (!s.ok()) (void)conn->ExecScript("ROLLBACK");
    }
    conn->EndTransaction();
    return s;
  }

  std::string_view Dialect() const override { return "postgres"; }

 private:
  ConnectionPool<PostgresConnection> pool_;
};

}  // namespace

Result<std::unique_ptr<SqlDatabase>> OpenPostgres(const PostgresOptions& options) {
  auto db = std::make_unique<PostgresDatabase>();
  TESSERA_RETURN_IF_ERROR(db->Init(options));
  return std::unique_ptr<SqlDatabase>(std::move(db));
}

}  // namespace tessera::store::sql
