#include "store/sql/sql_store.h"


namespace tessera::store::sql {
namespace {

constexpr std::string_view kSessionSelect =
    "SELECT id, app_id, user_id, created_at, last_used_at, expires_at, revoked_at,"
    " revoked_reason, user_agent, ip FROM sessions ";

// The session of a refresh token within an app; column 10 is the token's used_at.
constexpr std::string_view kSessionByToken =
    "SELECT s.id, s.app_id, s.user_id, s.created_at, s.last_used_at, s.expires_at, s.revoked_at,"
    " s.revoked_reason, s.user_agent, s.ip, t.used_at FROM refresh_tokens t JOIN sessions s"
    " ON s.id = t.session_id WHERE s.app_id = $1 AND t.token_hash = $2";

Session ReadSession(const SqlRow& r) {
  Session s;
  s.id = Text(r, 0);
  s.app_id = Text(r, 1);
  s.user_id = Text(r, 2);
  s.created_at = Int(r, 3);
  s.last_used_at = Int(r, 4);
  s.expires_at = Int(r, 5);
  s.revoked_at = OptInt(r, 6);
  s.revoked_reason = Text(r, 7);
  s.user_agent = Text(r, 8);
  s.ip = Text(r, 9);
  return s;
}

Status InsertRefreshToken(SqlConnection& c, const RefreshToken& t) {
  return c.Exec("INSERT INTO refresh_tokens (id, session_id, token_hash, created_at, expires_at)"
                " VALUES ($1, $2, $3, $4, $5)",
                {t.id, t.session_id, t.token_hash, t.created_at, t.expires_at})
      .status();
}

}  // namespace

Status SqlStore::CreateSession(const Session& s, const RefreshToken& first) {
  Status st = db_->Write([&](SqlConnection& c) -> Status {
    TESSERA_RETURN_IF_ERROR(
        c.Exec("INSERT INTO sessions (id, app_id, user_id, created_at, last_used_at, expires_at,"
               " user_agent, ip) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
               {s.id, s.app_id, s.user_id, s.created_at, s.last_used_at, s.expires_at,
                s.user_agent, s.ip})
            .status());
    RefreshToken t = first;
    t.session_id = s.id;
    return InsertRefreshToken(c, t);
  });
  // SQLite names the column ("refresh_tokens.token_hash"), PostgreSQL the index
  // ("refresh_tokens_hash_uq", "sessions_pkey"): report the field either way.
  if (st.IsAlreadyExists()) {
    return AlreadyExistsError(st.message().find("hash") != std::string::npos ? "token_hash"
                                                                             : "id");
  }
  return st;
}

Result<Session> SqlStore::GetSession(std::string_view app_id, std::string_view session_id) {
  TESSERA_ASSIGN_OR_RETURN(SqlRows rows,
                           ReadRows(std::string(kSessionSelect) + "WHERE app_id = $1 AND id = $2",
                                    {std::string(app_id), std::string(session_id)}));
  if (rows.empty()) return NotFoundError("session");
  return ReadSession(rows[0]);
}

Result<std::vector<Session>> SqlStore::ListActiveSessions(std::string_view app_id,
                                                          std::string_view user_id,
                                                          UnixMillis now) {
  TESSERA_ASSIGN_OR_RETURN(
      SqlRows rows,
      ReadRows(std::string(kSessionSelect) +
                   "WHERE app_id = $1 AND user_id = $2 AND revoked_at IS NULL AND expires_at > $3"
                   " ORDER BY last_used_at DESC",
               {std::string(app_id), std::string(user_id), now}));
  std::vector<Session> out;
  for (const auto& r : rows) out.push_back(ReadSession(r));
  return out;
}

// One transaction: mark the presented token used (only if it was unused — the atomic step
// that makes two racing rotations produce one winner), check its session, store the next.
Result<Rotation> SqlStore::RotateRefreshToken(std::string_view app_id,
                                              std::string_view token_hash, RefreshToken next,
                                              UnixMillis now) {
  Rotation rot;
  Status s = db_->Write([&](SqlConnection& c) -> Status {
    TESSERA_ASSIGN_OR_RETURN(
        SqlRows used, c.Query("UPDATE refresh_tokens SET used_at = $2"
                              " WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2"
                              // EXISTS, not IN (SELECT …): SQLite would list every
                              // session of the app; this is one primary-key probe.
                              " AND EXISTS (SELECT 1 FROM sessions s"
                              " WHERE s.id = refresh_tokens.session_id AND s.app_id = $3)"
                              " RETURNING session_id",
                              {std::string(token_hash), now, std::string(app_id)}));
    if (used.empty()) {
      TESSERA_ASSIGN_OR_RETURN(SqlRows seen, c.Query(kSessionByToken, {std::string(app_id),
                                                                    std::string(token_hash)}));
      if (!seen.empty() && OptInt(seen[0], 10)) {
        rot.outcome = RotationOutcome::kReused;
        rot.session = ReadSession(seen[0]);
      }
      return OkStatus();
    }
    TESSERA_ASSIGN_OR_RETURN(
        SqlRows sess, c.Query(std::string(kSessionSelect) +
                                  "WHERE id = $1 AND revoked_at IS NULL AND expires_at > $2",
                              {Text(used[0], 0), now}));
    if (sess.empty()) return AbortedError("session over");  // roll the mark back
    next.session_id = Text(used[0], 0);
    next.expires_at = std::min(next.expires_at, Int(sess[0], 5));
    TESSERA_RETURN_IF_ERROR(InsertRefreshToken(c, next));
    TESSERA_RETURN_IF_ERROR(
        c.Exec("UPDATE sessions SET last_used_at = $2 WHERE id = $1", {next.session_id, now})
            .status());
    rot.outcome = RotationOutcome::kRotated;
    rot.session = ReadSession(sess[0]);
    rot.session->last_used_at = now;
    return OkStatus();
  });
  if (s.code() == StatusCode::kAborted) return Rotation{};
  if (!s.ok()) return s;
  return rot;
}

Result<Session> SqlStore::FindSessionByRefreshToken(std::string_view app_id,
                                                    std::string_view token_hash) {
  TESSERA_ASSIGN_OR_RETURN(SqlRows rows,
                           ReadRows(kSessionByToken, {std::string(app_id), std::string(token_hash)}));
  if (rows.empty()) return NotFoundError("session");
  return ReadSession(rows[0]);
}

Status SqlStore::RevokeSession(std::string_view app_id, std::string_view user_id,
                               std::string_view session_id, std::string_view reason,
                               UnixMillis now) {
  TESSERA_ASSIGN_OR_RETURN(
      int64_t n, WriteOne("UPDATE sessions SET revoked_at = $4, revoked_reason = $5"
                          " WHERE app_id = $1 AND user_id = $2 AND id = $3 AND revoked_at IS NULL",
                          {std::string(app_id), std::string(user_id), std::string(session_id),
                           now, std::string(reason)}));
  return n == 1 ? OkStatus() : NotFoundError("session");
}

Result<int64_t> SqlStore::RevokeUserSessions(std::string_view app_id, std::string_view user_id,
                                             std::string_view keep_session_id,
                                             std::string_view reason, UnixMillis now) {
  return WriteOne("UPDATE sessions SET revoked_at = $4, revoked_reason = $5"
                  " WHERE app_id = $1 AND user_id = $2 AND id <> $3 AND revoked_at IS NULL",
                  {std::string(app_id), std::string(user_id), std::string(keep_session_id), now,
                   std::string(reason)});
}

}  // namespace tessera::store::sql
