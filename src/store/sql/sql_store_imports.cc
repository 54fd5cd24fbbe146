// Imports from other systems (user_import/import_store.h): the steps of one batch, each a
// statement on the batch's connection, inside its one transaction.
#include "base/strings.h"
#include "store/sql/record_rows.h"
#include "store/sql/sql_store.h"

namespace tessera::store::sql {
namespace {

class SqlImportTransaction final : public UserImportTransaction {
 public:
  SqlImportTransaction(SqlConnection& c, std::string_view app_id) : c_(c), app_id_(app_id) {}

  Result<std::optional<User>> UserOfSourceKey(std::string_view source_key) override {
    return OneOptionalUser(c_.Query(
        StrCat({kUserSelect,
                "WHERE app_id = $1 AND id = (SELECT user_id FROM user_import_keys"
                " WHERE app_id = $1 AND source_key = $2)"}),
        {app_id_, std::string(source_key)}));
  }

  Result<std::optional<std::string>> SourceKeyOfUser(std::string_view user_id) override {
    TESSERA_ASSIGN_OR_RETURN(
        SqlRows rows,
        c_.Query("SELECT source_key FROM user_import_keys WHERE app_id = $1 AND user_id = $2",
                 {app_id_, std::string(user_id)}));
    if (rows.empty()) return std::optional<std::string>();
    return std::optional<std::string>(Text(rows[0], 0));
  }

  Result<std::optional<User>> UserByEmail(std::string_view email_normalized) override {
    return OneOptionalUser(c_.Query(StrCat({kUserSelect, "WHERE app_id = $1 AND email_normalized = $2"}),
                                    {app_id_, std::string(email_normalized)}));
  }

  Result<std::optional<User>> UserByUsername(std::string_view username_normalized) override {
    return OneOptionalUser(
        c_.Query(StrCat({kUserSelect, "WHERE app_id = $1 AND username_normalized = $2"}),
                 {app_id_, std::string(username_normalized)}));
  }

  Status InsertUser(const User& u) override {
    User row = u;
    row.app_id = app_id_;  // the batch's app, whatever the record says
    return c_.Exec(kUserInsert, UserInsertParams(row, row.roles)).status();
  }

  Status ReplaceUser(const User& u) override {
    return c_.Exec(kUserUpdate, UserUpdateParams(app_id_, u)).status();
  }

  Status LinkSourceKey(std::string_view source_key, std::string_view user_id) override {
    return c_.Exec("INSERT INTO user_import_keys (app_id, source_key, user_id) VALUES ($1, $2, $3)",
                   {app_id_, std::string(source_key), std::string(user_id)})
        .status();
  }

  Result<std::optional<ApiToken>> ApiTokenByHash(std::string_view token_hash) override {
    TESSERA_ASSIGN_OR_RETURN(SqlRows rows,
                             c_.Query(StrCat({kApiTokenSelect, "WHERE token_hash = $1"}),
                                      {std::string(token_hash)}));
    if (rows.empty()) return std::optional<ApiToken>();
    return std::optional<ApiToken>(ReadApiToken(rows[0]));
  }

  Status InsertApiToken(const ApiToken& t) override {
    ApiToken row = t;
    row.app_id = app_id_;
    return c_.Exec(kApiTokenInsert, ApiTokenInsertParams(row)).status();
  }

 private:
  static Result<std::optional<User>> OneOptionalUser(Result<SqlRows> rows) {
    if (!rows.ok()) return rows.status();
    if (rows->empty()) return std::optional<User>();
    return std::optional<User>(ReadUser((*rows)[0]));
  }

  SqlConnection& c_;
  std::string app_id_;
};

}  // namespace

Status SqlStore::RunImportBatch(std::string_view app_id, bool commit,
                                const std::function<Status(UserImportTransaction&)>& work) {
  // A dry run's work still runs in a write transaction (its later steps see its earlier
  // writes); ending it with an error is what rolls it back.
  return db_->Write([&](SqlConnection& c) -> Status {
    SqlImportTransaction txn(c, app_id);
    Status s = work(txn);
    if (s.ok() && !commit) return AbortedError("dry run");
    return s;
  });
}

}  // namespace tessera::store::sql
