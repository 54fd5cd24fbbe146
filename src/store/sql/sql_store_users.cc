#include <algorithm>
#include <cctype>

#include "store/sql/json_columns.h"
#include "store/sql/record_rows.h"
#include "store/sql/sql_store.h"
#include "base/strings.h"

namespace tessera::store::sql {
namespace {

constexpr int kMaxUserPage = 200;

// A LIKE pattern matching `search` anywhere, lowercased (the columns searched are
// normalized to lowercase), with the metacharacters % _ and the escape \ taken literally.
std::string ContainsPattern(std::string_view search) {
  std::string out = "%";
  for (char ch : search) {
    if (ch == '%' || ch == '_' || ch == '\\') out += '\\';
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  }
  out += '%';
  return out;
}

Result<User> OneUser(Result<SqlRows> rows) {
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return NotFoundError("user");
  return ReadUser((*rows)[0]);
}

}  // namespace

Status SqlStore::CreateUser(const User& u) {
  return db_->Write([&](SqlConnection& c) {
    return c.Exec(kUserInsert, UserInsertParams(u, u.roles)).status();
  });
}

Result<bool> SqlStore::CreateUserGrantingFirst(const User& u, std::string_view role) {
  bool granted = false;
  Status s = db_->Write([&](SqlConnection& c) -> Status {
    granted = false;  // a retried transaction decides again
    // Lock the app's row first (a no-op write): concurrent first sign-ups of one app wait
    // here for each other, so the count below sees every earlier one committed.
    TESSERA_ASSIGN_OR_RETURN(int64_t locked,
                             c.Exec("UPDATE apps SET slug = slug WHERE id = $1", {u.app_id}));
    if (locked != 1) return NotFoundError("app");
    TESSERA_ASSIGN_OR_RETURN(SqlRows others,
                             c.Query("SELECT 1 FROM users WHERE app_id = $1 LIMIT 1", {u.app_id}));
    std::vector<std::string> roles = u.roles;
    if (others.empty() && std::find(roles.begin(), roles.end(), role) == roles.end()) {
      roles.emplace_back(role);
      granted = true;
    }
    return c.Exec(kUserInsert, UserInsertParams(u, roles)).status();
  });
  if (!s.ok()) return s;
  return granted;
}

Result<User> SqlStore::GetUser(std::string_view app_id, std::string_view user_id) {
  return OneUser(ReadRows(StrCat({kUserSelect, "WHERE app_id = $1 AND id = $2"}),
                          {std::string(app_id), std::string(user_id)}));
}

Result<User> SqlStore::GetUserOfLiveToken(std::string_view app_id, std::string_view session_id,
                                           std::string_view jti, UnixMillis now) {
  return OneUser(ReadRows(
      StrCat({kUserSelect,
              "WHERE app_id = $1 AND id = (SELECT s.user_id FROM sessions s"
              " WHERE s.id = $2 AND s.app_id = $1 AND s.revoked_at IS NULL"
              " AND s.expires_at > $3) AND NOT EXISTS (SELECT 1 FROM revoked_access_tokens r"
              " WHERE r.app_id = $1 AND r.jti = $4)"}),
      {std::string(app_id), std::string(session_id), now, std::string(jti)}));
}

Result<User> SqlStore::GetUserOfRefreshToken(std::string_view app_id,
                                              std::string_view token_hash) {
  return OneUser(ReadRows(
      StrCat({kUserSelect,
              "WHERE app_id = $1 AND id = (SELECT s.user_id FROM refresh_tokens r"
              " JOIN sessions s ON s.id = r.session_id WHERE r.token_hash = $2"
              " AND s.app_id = $1)"}),
      {std::string(app_id), std::string(token_hash)}));
}

Result<User> SqlStore::GetUserByEmail(std::string_view app_id, std::string_view email) {
  return OneUser(ReadRows(StrCat({kUserSelect, "WHERE app_id = $1 AND email_normalized = $2"}),
                          {std::string(app_id), std::string(email)}));
}

Result<User> SqlStore::GetUserByUsername(std::string_view app_id, std::string_view username) {
  return OneUser(
      ReadRows(StrCat({kUserSelect, "WHERE app_id = $1 AND username_normalized = $2"}),
               {std::string(app_id), std::string(username)}));
}

Result<User> SqlStore::UpdateUser(std::string_view app_id, std::string_view user_id,
                                  const std::function<Status(User&)>& mutate) {
  User user;
  Status s = db_->Write([&](SqlConnection& c) -> Status {
    // Lock the row first (a no-op write): on PostgreSQL a plain SELECT does not, and two
    // concurrent read-modify-writes would lose one change.
    TESSERA_ASSIGN_OR_RETURN(int64_t locked,
                             c.Exec("UPDATE users SET updated_at = updated_at WHERE app_id = $1 AND id = $2",
                                    {std::string(app_id), std::string(user_id)}));
    if (locked != 1) return NotFoundError("user");
    TESSERA_ASSIGN_OR_RETURN(
        user, OneUser(c.Query(StrCat({kUserSelect, "WHERE app_id = $1 AND id = $2"}),
                              {std::string(app_id), std::string(user_id)})));
    TESSERA_RETURN_IF_ERROR(mutate(user));
    user.id = std::string(user_id);  // `mutate` must not change it; the row is this one
    return c.Exec(kUserUpdate, UserUpdateParams(app_id, user)).status();
  });
  if (!s.ok()) return s;
  return user;
}

Status SqlStore::RecordLogin(std::string_view app_id, std::string_view user_id, UnixMillis now,
                             const std::optional<std::string>& new_password_hash) {
  if (new_password_hash) {
    return WriteOne("UPDATE users SET last_login_at = $3, password_hash = $4, updated_at = $3"
                    " WHERE app_id = $1 AND id = $2",
                    {std::string(app_id), std::string(user_id), now, *new_password_hash})
        .status();
  }
  return WriteOne("UPDATE users SET last_login_at = $3 WHERE app_id = $1 AND id = $2",
                  {std::string(app_id), std::string(user_id), now})
      .status();
}

// Newest first (created_at desc, id desc), keyset-paged: the cursor is resolved to its
// (created_at, id) in a subquery within the same app, so an unknown cursor or another app's
// user matches nothing (NULL comparisons) and yields an empty page. The statement text depends
// only on whether search and cursor are set (four variants).
Result<UserPage> SqlStore::ListUsers(const UserQuery& q) {
  std::string sql = StrCat({kUserSelect, "WHERE app_id = $1"});
  std::vector<SqlValue> params{q.app_id};
  auto bind = [&](SqlValue v) {
    params.push_back(std::move(v));
    return "$" + std::to_string(params.size());
  };
  if (!q.search.empty()) {
    std::string p = bind(ContainsPattern(q.search));
    sql += " AND (email_normalized LIKE " + p + " ESCAPE '\\' OR username_normalized LIKE " + p +
           " ESCAPE '\\')";
  }
  if (q.cursor) {
    std::string c = bind(*q.cursor);
    std::string cursor_at =
        "(SELECT c.created_at FROM users c WHERE c.app_id = $1 AND c.id = " + c + ")";
    sql += " AND (created_at < " + cursor_at + " OR (created_at = " + cursor_at + " AND id < " + c +
           "))";
  }
  const int limit = std::clamp(q.limit, 1, kMaxUserPage);
  sql += " ORDER BY created_at DESC, id DESC LIMIT " + bind(int64_t{limit});
  SqlRows rows;
  TESSERA_RETURN_IF_ERROR(db_->Read([&](SqlConnection& c) -> Status {
    TESSERA_ASSIGN_OR_RETURN(rows, c.Query(sql, std::span<const SqlValue>(params)));
    return OkStatus();
  }));
  UserPage page;
  page.users.reserve(rows.size());
  for (const auto& r : rows) page.users.push_back(ReadUser(r));
  if (page.users.size() == static_cast<size_t>(limit)) page.next_cursor = page.users.back().id;
  return page;
}

Result<int64_t> SqlStore::CountUsers(std::string_view app_id) {
  TESSERA_ASSIGN_OR_RETURN(SqlRows rows, ReadRows("SELECT COUNT(*) FROM users WHERE app_id = $1",
                                                  {std::string(app_id)}));
  return rows.empty() ? 0 : Int(rows[0], 0);
}

// Everything of the user goes with the row: sessions (and their refresh tokens), API tokens,
// consents, authorization codes, email tokens and app memberships reference users (id)
// ON DELETE CASCADE (SQLite connections run with foreign_keys=ON).
Status SqlStore::DeleteUser(std::string_view app_id, std::string_view user_id) {
  TESSERA_ASSIGN_OR_RETURN(int64_t n, WriteOne("DELETE FROM users WHERE app_id = $1 AND id = $2",
                                               {std::string(app_id), std::string(user_id)}));
  return n == 1 ? OkStatus() : NotFoundError("user");
}

}  // namespace tessera::store::sql
