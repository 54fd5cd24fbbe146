// Developer console: invitations to an app's membership (issue 11, item 7).
#include "base/strings.h"
#include "store/sql/sql_store.h"

namespace tessera::store::sql {
namespace {

constexpr std::string_view kInvitationSelect =
    "SELECT id, app_id, email, role, token_hash, invited_by, created_at, expires_at"
    " FROM app_invitations ";

// kInternal for a role we do not know.
Result<AppInvitation> ReadInvitation(const SqlRow& r) {
  TESSERA_ASSIGN_OR_RETURN(MemberRole role, EnumColumn<MemberRole>(r, 3, "app_invitations.role"));
  return AppInvitation{Text(r, 0), Text(r, 1), Text(r, 2), role,
                       Text(r, 4), Text(r, 5), Int(r, 6),  Int(r, 7)};
}

Result<std::vector<AppInvitation>> ReadInvitations(const SqlRows& rows) {
  std::vector<AppInvitation> out;
  out.reserve(rows.size());
  for (const auto& r : rows) {
    TESSERA_ASSIGN_OR_RETURN(AppInvitation i, ReadInvitation(r));
    out.push_back(std::move(i));
  }
  return out;
}

// The live invitations whose `column` (app_id or email) is $1, oldest first.
std::string LiveInvitationsWhere(std::string_view column) {
  return StrCat({kInvitationSelect, "WHERE ", column,
                 " = $1 AND expires_at > $2 ORDER BY created_at, id"});
}

Result<AppInvitation> FirstInvitation(const SqlRows& rows) {
  if (rows.empty()) return NotFoundError("invitation");
  return ReadInvitation(rows[0]);
}

}  // namespace

// The cap on live invitations as a conditional write: the no-op UPDATE of the app's row
// takes its write lock first, so on PostgreSQL two invitations to one app at once are
// counted one after the other (SQLite has one writer anyway).
Status SqlStore::CreateAppInvitation(const AppInvitation& inv, size_t max_live, UnixMillis now) {
  return db_->Write([&](SqlConnection& c) -> Status {
    TESSERA_ASSIGN_OR_RETURN(int64_t locked,
                             c.Exec("UPDATE apps SET name = name WHERE id = $1", {inv.app_id}));
    if (locked != 1) return NotFoundError("app");
    TESSERA_RETURN_IF_ERROR(
        c.Exec("DELETE FROM app_invitations WHERE app_id = $1 AND expires_at <= $2",
               {inv.app_id, now})
            .status());
    TESSERA_ASSIGN_OR_RETURN(
        SqlRows live, c.Query("SELECT COUNT(*) FROM app_invitations WHERE app_id = $1", {inv.app_id}));
    if (!live.empty() && Int(live[0], 0) >= static_cast<int64_t>(max_live)) {
      return ResourceExhaustedError("too many pending invitations");
    }
    return c
        .Exec("INSERT INTO app_invitations (id, app_id, email, role, token_hash, invited_by,"
              " created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
              {inv.id, inv.app_id, inv.email, EnumValue(inv.role), inv.token_hash, inv.invited_by,
               inv.created_at, inv.expires_at})
        .status();
  });
}

Result<AppInvitation> SqlStore::GetAppInvitation(std::string_view id) {
  TESSERA_ASSIGN_OR_RETURN(
      SqlRows rows, ReadRows(StrCat({kInvitationSelect, "WHERE id = $1"}), {std::string(id)}));
  return FirstInvitation(rows);
}

Result<AppInvitation> SqlStore::GetAppInvitationByTokenHash(std::string_view token_hash) {
  TESSERA_ASSIGN_OR_RETURN(SqlRows rows, ReadRows(StrCat({kInvitationSelect, "WHERE token_hash = $1"}),
                                                  {std::string(token_hash)}));
  return FirstInvitation(rows);
}

Result<std::vector<AppInvitation>> SqlStore::ListAppInvitations(std::string_view app_id,
                                                                UnixMillis now) {
  TESSERA_ASSIGN_OR_RETURN(SqlRows rows,
                           ReadRows(LiveInvitationsWhere("app_id"), {std::string(app_id), now}));
  return ReadInvitations(rows);
}

Result<std::vector<AppInvitation>> SqlStore::ListAppInvitationsForEmail(std::string_view email,
                                                                        UnixMillis now) {
  TESSERA_ASSIGN_OR_RETURN(SqlRows rows,
                           ReadRows(LiveInvitationsWhere("email"), {std::string(email), now}));
  return ReadInvitations(rows);
}

// The DELETE is the single use: of two acceptances at once only one deletes the row (the
// other waits on its lock, then deletes nothing); the membership is added in the same
// transaction, so an invitation is never spent without it.
Status SqlStore::AcceptAppInvitation(std::string_view id, const AppMember& m, UnixMillis now) {
  return db_->Write([&](SqlConnection& c) -> Status {
    TESSERA_ASSIGN_OR_RETURN(
        int64_t n, c.Exec("DELETE FROM app_invitations WHERE id = $1 AND app_id = $2"
                          " AND expires_at > $3",
                          {std::string(id), m.app_id, now}));
    if (n != 1) return NotFoundError("invitation");
    return c
        .Exec("INSERT INTO app_members (app_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)",
              {m.app_id, m.user_id, EnumValue(m.role), m.created_at})
        .status();
  });
}

Status SqlStore::DeleteAppInvitation(std::string_view app_id, std::string_view id) {
  TESSERA_ASSIGN_OR_RETURN(int64_t n,
                           WriteOne("DELETE FROM app_invitations WHERE id = $1 AND app_id = $2",
                                    {std::string(id), std::string(app_id)}));
  return n == 1 ? OkStatus() : NotFoundError("invitation");
}

}  // namespace tessera::store::sql
