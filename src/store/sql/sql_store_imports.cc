// Imports from other systems (user_import/import_store.h): the steps of one batch, on the
// batch's connection, inside its one transaction. A lookup is one statement for a whole set
// of keys, bound as one JSON array; writes are queued and sent together (ExecAll) before the
// next lookup and when the batch's work ends.
#include <algorithm>

#include "base/strings.h"
#include "store/sql/json_columns.h"
#include "store/sql/record_rows.h"
#include "store/sql/sql_store.h"

namespace tessera::store::sql {
namespace {

// The lookups, for every key of a JSON array of strings bound as one parameter: each key is
// found through its column's unique index. The two engines differ here:
// - PostgreSQL: a LATERAL subquery per key (OFFSET 0 keeps it a subquery, not a join), so
//   each key is one probe of its unique index (once the table is more than a few pages),
//   whatever the column statistics say. A fresh database's tables have none until
//   autovacuum's next ANALYZE (a minute or more): PostgreSQL then took "app_id = $1" for 0.5%
//   of the rows, and the join it chose for "IN (SELECT json_array_elements_text(…))" scanned
//   all of the app's keys and users for every batch: a first import of 50k users took 64 s
//   instead of 5. (Run with QueryPlannedEachRun: a generic plan made early would be kept as
//   the tables grow.)
// - SQLite, whose planner goes by the indexes, not by statistics: "IN (json_each)".
// A user row is the user's columns (kUserSelect's, as u.*) then a source key.
struct ImportStatements {
  explicit ImportStatements(std::string_view dialect) {
    const std::string users(kUserSelect), tokens(kApiTokenSelect);
    const bool postgres = dialect == "postgres";
    // The source key of the user in the row `u`: the least, should an import have linked two.
    // Through the index on user_id: SQLite would take the primary key's (app_id, source_key)
    // order for MIN and scan the app's keys to the user's; "+" keeps app_id out of its choice.
    const std::string user_key =
        StrCat({"(SELECT MIN(k.source_key) FROM user_import_keys k WHERE k.user_id = u.id AND ",
                postgres ? "" : "+", "k.app_id = $1)"});
    if (postgres) {
      auto each = [](std::string_view list) {
        return StrCat({"FROM json_array_elements_text(CAST(", list, " AS json)) AS want(key)"
                       " CROSS JOIN LATERAL "});
      };
      users_of_source_keys = StrCat(
          {"SELECT u.*, want.key ", each("$2"),
           "(SELECT user_id FROM user_import_keys WHERE app_id = $1 AND source_key = want.key"
           " OFFSET 0) k CROSS JOIN LATERAL (", users,
           "WHERE app_id = $1 AND id = k.user_id OFFSET 0) u"});
      users_by_emails = StrCat({"SELECT u.*, ", user_key, " ", each("$2"), "(", users,
                                "WHERE app_id = $1 AND email_normalized = want.key OFFSET 0) u"});
      users_by_usernames =
          StrCat({"SELECT u.*, ", user_key, " ", each("$2"), "(", users,
                  "WHERE app_id = $1 AND username_normalized = want.key OFFSET 0) u"});
      api_tokens_by_hashes = StrCat(
          {"SELECT t.* ", each("$1"), "(", tokens, "WHERE token_hash = want.key OFFSET 0) t"});
    } else {
      const std::string in = "IN (SELECT value FROM json_each(";
      users_of_source_keys = StrCat(
          {"SELECT u.*, k.source_key FROM user_import_keys k JOIN (", users, ") u"
           " ON u.id = k.user_id WHERE k.app_id = $1 AND u.app_id = $1 AND k.source_key ", in,
           "$2))"});
      users_by_emails = StrCat({"SELECT u.*, ", user_key, " FROM (", users,
                                "WHERE app_id = $1 AND email_normalized ", in, "$2))) u"});
      users_by_usernames = StrCat({"SELECT u.*, ", user_key, " FROM (", users,
                                   "WHERE app_id = $1 AND username_normalized ", in, "$2))) u"});
      api_tokens_by_hashes = StrCat({tokens, "WHERE token_hash ", in, "$1))"});
    }
  }
  std::string users_of_source_keys, users_by_emails, users_by_usernames, api_tokens_by_hashes;
};

const ImportStatements& StatementsOf(std::string_view dialect) {
  static const ImportStatements postgres("postgres"), sqlite("sqlite");
  return dialect == "postgres" ? postgres : sqlite;
}

constexpr std::string_view kLinkSourceKey =
    "INSERT INTO user_import_keys (app_id, source_key, user_id) VALUES ($1, $2, $3)";

// A user row of ImportStatements' user queries: the user's columns, then a source key.
LinkedUser ReadLinkedUser(const SqlRow& r) {
  return LinkedUser{.user = ReadUser(r), .source_key = OptText(r, 14)};
}

class SqlImportTransaction final : public UserImportTransaction {
 public:
  SqlImportTransaction(SqlConnection& c, std::string_view app_id, std::string_view dialect)
      : c_(c), app_id_(app_id), sql_(StatementsOf(dialect)) {}

  Result<std::vector<LinkedUser>> UsersOfSourceKeys(std::span<const std::string> keys) override {
    return Users(sql_.users_of_source_keys, keys);
  }

  Result<std::vector<LinkedUser>> UsersByEmails(std::span<const std::string> emails) override {
    return Users(sql_.users_by_emails, emails);
  }

  Result<std::vector<LinkedUser>> UsersByUsernames(
      std::span<const std::string> usernames) override {
    return Users(sql_.users_by_usernames, usernames);
  }

  Result<std::vector<ApiToken>> ApiTokensByHashes(std::span<const std::string> hashes) override {
    std::vector<ApiToken> out;
    if (hashes.empty()) return out;
    TESSERA_RETURN_IF_ERROR(Flush());
    TESSERA_ASSIGN_OR_RETURN(SqlRows rows,
                             c_.QueryPlannedEachRun(sql_.api_tokens_by_hashes, {JsonList(hashes)}));
    out.reserve(rows.size());
    for (const SqlRow& r : rows) out.push_back(ReadApiToken(r));
    return out;
  }

  Status InsertUser(const User& u) override {
    User row = u;
    row.app_id = app_id_;  // the batch's app, whatever the record says
    return Queue(kUserInsert, UserInsertParams(row, row.roles));
  }

  Status ReplaceUser(const User& u) override {
    return Queue(kUserUpdate, UserUpdateParams(app_id_, u));
  }

  Status LinkSourceKey(std::string_view source_key, std::string_view user_id) override {
    return Queue(kLinkSourceKey, {app_id_, std::string(source_key), std::string(user_id)});
  }

  Status InsertApiToken(const ApiToken& t) override {
    ApiToken row = t;
    row.app_id = app_id_;
    return Queue(kApiTokenInsert, ApiTokenInsertParams(row));
  }

  // Sends the queued writes.
  Status Flush() {
    if (queued_.empty()) return OkStatus();
    Status s = c_.ExecAll(queued_);
    queued_.clear();
    return s;
  }

 private:
  // Bounds the parameters held: a batch's writes go out in parts of this many at most.
  static constexpr size_t kMaxQueued = 1000;

  Status Queue(std::string_view sql, std::vector<SqlValue> params) {
    queued_.push_back({sql, std::move(params)});
    return queued_.size() >= kMaxQueued ? Flush() : OkStatus();
  }

  // The keys as one JSON array, each once (a row per key found: each found once).
  static std::string JsonList(std::span<const std::string> items) {
    std::vector<std::string> keys(items.begin(), items.end());
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    return StringListToJson(keys);
  }

  Result<std::vector<LinkedUser>> Users(const std::string& sql, std::span<const std::string> keys) {
    std::vector<LinkedUser> out;
    if (keys.empty()) return out;
    TESSERA_RETURN_IF_ERROR(Flush());  // the lookup sees every write before it
    TESSERA_ASSIGN_OR_RETURN(SqlRows rows, c_.QueryPlannedEachRun(sql, {app_id_, JsonList(keys)}));
    out.reserve(rows.size());
    for (const SqlRow& r : rows) out.push_back(ReadLinkedUser(r));
    return out;
  }

  SqlConnection& c_;
  std::string app_id_;
  const ImportStatements& sql_;
  std::vector<SqlStatement> queued_;
};

}  // namespace

Status SqlStore::RunImportBatch(std::string_view app_id, bool commit,
                                const std::function<Status(UserImportTransaction&)>& work) {
  // A dry run's work still runs in a write transaction (its later steps see its earlier
  // writes); ending it with an error is what rolls it back.
  return db_->Write([&](SqlConnection& c) -> Status {
    SqlImportTransaction txn(c, app_id, db_->Dialect());
    Status s = work(txn);
    if (s.ok()) s = txn.Flush();
    if (s.ok() && !commit) return AbortedError("dry run");
    return s;
  });
}

}  // namespace tessera::store::sql
