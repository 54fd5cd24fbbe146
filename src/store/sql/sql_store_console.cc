// Developer console: app members and the apps' backend API keys.
#include <algorithm>

#include "base/strings.h"
#include "store/sql/sql_store.h"

namespace tessera::store::sql {
namespace {

constexpr std::string_view kMemberSelect =
    "SELECT app_id, user_id, role, created_at FROM app_members ";

constexpr std::string_view kAppApiKeySelect =
    "SELECT id, app_id, name, prefix, key_hash, created_by, created_at, last_used_at, revoked_at"
    " FROM app_api_keys ";

// kInternal for a role we do not know.
Result<AppMember> ReadMember(const SqlRow& r) {
  TESSERA_ASSIGN_OR_RETURN(MemberRole role, EnumColumn<MemberRole>(r, 2, "app_members.role"));
  return AppMember{Text(r, 0), Text(r, 1), role, Int(r, 3)};
}

AppApiKey ReadAppApiKey(const SqlRow& r) {
  return AppApiKey{Text(r, 0), Text(r, 1), Text(r, 2),   Text(r, 3),  Text(r, 4),
                   Text(r, 5), Int(r, 6),  OptInt(r, 7), OptInt(r, 8)};
}

Result<std::vector<AppMember>> ReadMembers(const SqlRows& rows) {
  std::vector<AppMember> out;
  out.reserve(rows.size());
  for (const auto& r : rows) {
    TESSERA_ASSIGN_OR_RETURN(AppMember m, ReadMember(r));
    out.push_back(std::move(m));
  }
  return out;
}

// The last-owner rule as a conditional write (removing or demoting a member). The no-op
// UPDATE of the app's row first takes its write lock, so on PostgreSQL (READ COMMITTED) a
// concurrent change in the same app waits, then counts the owners this one left; SQLite has
// one writer anyway. kNotFound for an unknown app.
Status KeepAnOwner(SqlConnection& c, const std::string& app, const std::string& user) {
  TESSERA_ASSIGN_OR_RETURN(int64_t locked,
                           c.Exec("UPDATE apps SET name = name WHERE id = $1", {app}));
  if (locked != 1) return NotFoundError("member");
  TESSERA_ASSIGN_OR_RETURN(
      SqlRows owners, c.Query("SELECT user_id FROM app_members WHERE app_id = $1 AND role = $2",
                              {app, EnumValue(MemberRole::kOwner)}));
  const bool is_owner = std::any_of(owners.begin(), owners.end(),
                                    [&](const SqlRow& r) { return Text(r, 0) == user; });
  if (is_owner && owners.size() <= 1) {
    return FailedPreconditionError("an app keeps at least one owner");
  }
  return OkStatus();
}

}  // namespace

Status SqlStore::AddAppMember(const AppMember& m) {
  return WriteOne(
             "INSERT INTO app_members (app_id, user_id, role, created_at)"
             " VALUES ($1, $2, $3, $4)",
             {m.app_id, m.user_id, EnumValue(m.role), m.created_at})
      .status();
}

Result<AppMember> SqlStore::GetAppMember(std::string_view app_id, std::string_view user_id) {
  TESSERA_ASSIGN_OR_RETURN(SqlRows rows,
                           ReadRows(StrCat({kMemberSelect, "WHERE app_id = $1 AND user_id = $2"}),
                                    {std::string(app_id), std::string(user_id)}));
  if (rows.empty()) return NotFoundError("member");
  return ReadMember(rows[0]);
}

Result<std::vector<AppMember>> SqlStore::ListAppMembers(std::string_view app_id) {
  TESSERA_ASSIGN_OR_RETURN(
      SqlRows rows,
      ReadRows(StrCat({kMemberSelect, "WHERE app_id = $1 ORDER BY created_at, user_id"}),
               {std::string(app_id)}));
  return ReadMembers(rows);
}

Result<std::vector<AppMember>> SqlStore::ListMembershipsOfUser(std::string_view user_id) {
  TESSERA_ASSIGN_OR_RETURN(
      SqlRows rows,
      ReadRows(StrCat({kMemberSelect, "WHERE user_id = $1 ORDER BY created_at, app_id"}),
               {std::string(user_id)}));
  return ReadMembers(rows);
}

Status SqlStore::SetAppMemberRole(std::string_view app_id, std::string_view user_id,
                                  MemberRole role) {
  const std::string app(app_id), user(user_id);
  return db_->Write([&](SqlConnection& c) -> Status {
    if (role != MemberRole::kOwner) TESSERA_RETURN_IF_ERROR(KeepAnOwner(c, app, user));
    TESSERA_ASSIGN_OR_RETURN(
        int64_t n, c.Exec("UPDATE app_members SET role = $3 WHERE app_id = $1 AND user_id = $2",
                          {app, user, EnumValue(role)}));
    return n == 1 ? OkStatus() : NotFoundError("member");
  });
}

Status SqlStore::RemoveAppMember(std::string_view app_id, std::string_view user_id) {
  const std::string app(app_id), user(user_id);
  return db_->Write([&](SqlConnection& c) -> Status {
    TESSERA_RETURN_IF_ERROR(KeepAnOwner(c, app, user));
    TESSERA_ASSIGN_OR_RETURN(
        int64_t n, c.Exec("DELETE FROM app_members WHERE app_id = $1 AND user_id = $2", {app, user}));
    return n == 1 ? OkStatus() : NotFoundError("member");
  });
}

Status SqlStore::CreateAppApiKey(const AppApiKey& k) {
  return WriteOne(
             "INSERT INTO app_api_keys (id, app_id, name, prefix, key_hash, created_by,"
             " created_at, last_used_at, revoked_at)"
             " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
             {k.id, k.app_id, k.name, k.prefix, k.key_hash, k.created_by, k.created_at,
              Opt(k.last_used_at), Opt(k.revoked_at)})
      .status();
}

Result<AppApiKey> SqlStore::GetAppApiKeyByHash(std::string_view key_hash) {
  TESSERA_ASSIGN_OR_RETURN(SqlRows rows, ReadRows(StrCat({kAppApiKeySelect, "WHERE key_hash = $1"}),
                                                  {std::string(key_hash)}));
  if (rows.empty()) return NotFoundError("api key");
  return ReadAppApiKey(rows[0]);
}

Result<std::vector<AppApiKey>> SqlStore::ListAppApiKeys(std::string_view app_id) {
  TESSERA_ASSIGN_OR_RETURN(SqlRows rows, ReadRows(StrCat({kAppApiKeySelect,
                                                          "WHERE app_id = $1 AND revoked_at IS NULL"
                                                          " ORDER BY created_at DESC, id DESC"}),
                                                  {std::string(app_id)}));
  std::vector<AppApiKey> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(ReadAppApiKey(r));
  return out;
}

Status SqlStore::RevokeAppApiKey(std::string_view app_id, std::string_view key_id, UnixMillis now) {
  TESSERA_ASSIGN_OR_RETURN(int64_t n,
                           WriteOne("UPDATE app_api_keys SET revoked_at = $3"
                                    " WHERE app_id = $1 AND id = $2 AND revoked_at IS NULL",
                                    {std::string(app_id), std::string(key_id), now}));
  return n == 1 ? OkStatus() : NotFoundError("api key");
}

Status SqlStore::TouchAppApiKey(std::string_view key_id, UnixMillis now) {
  return WriteOne("UPDATE app_api_keys SET last_used_at = $2 WHERE id = $1",
                  {std::string(key_id), now})
      .status();
}

}  // namespace tessera::store::sql
