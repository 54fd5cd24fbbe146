#include "base/strings.h"
#include "store/sql/sql_store.h"


namespace tessera::store::sql {
namespace {

// Columns 0-17 of a session row (ReadSession); newer columns come last so the positions of
// the older ones stay put.
constexpr std::string_view kSessionColumns =
    "id, app_id, user_id, created_at, last_used_at, expires_at, revoked_at, revoked_reason,"
    " user_agent, ip, kind, client_id, scope, auth_time, amr, idp, dpop_jkt, parent_id";
constexpr std::string_view kSessionSelect =
    "SELECT id, app_id, user_id, created_at, last_used_at, expires_at, revoked_at,"
    " revoked_reason, user_agent, ip, kind, client_id, scope, auth_time, amr, idp, dpop_jkt,"
    " parent_id FROM sessions ";
static_assert(kSessionSelect.substr(7, kSessionColumns.size()) == kSessionColumns);
constexpr size_t kSessionExpiresAt = 5;

// The session of a refresh token within an app; column 18 is the token's used_at.
constexpr std::string_view kSessionByToken =
    "SELECT s.id, s.app_id, s.user_id, s.created_at, s.last_used_at, s.expires_at, s.revoked_at,"
    " s.revoked_reason, s.user_agent, s.ip, s.kind, s.client_id, s.scope, s.auth_time, s.amr,"
    " s.idp, s.dpop_jkt, s.parent_id, t.used_at"
    " FROM refresh_tokens t JOIN sessions s"
    " ON s.id = t.session_id WHERE s.app_id = $1 AND t.token_hash = $2";
constexpr size_t kTokenUsedAt = 18;

// kInternal when the kind or the revocation reason is text we do not know.
Result<Session> ReadSession(const SqlRow& r) {
  Session s;
  s.id = Text(r, 0);
  s.app_id = Text(r, 1);
  s.user_id = Text(r, 2);
  s.created_at = Int(r, 3);
  s.last_used_at = Int(r, 4);
  s.expires_at = Int(r, 5);
  s.revoked_at = OptInt(r, 6);
  if (!Text(r, 7).empty()) {
    TESSERA_ASSIGN_OR_RETURN(s.revoked_reason,
                             EnumColumn<RevokeReason>(r, 7, "sessions.revoked_reason"));
  }
  s.user_agent = Text(r, 8);
  s.ip = Text(r, 9);
  TESSERA_ASSIGN_OR_RETURN(s.kind, EnumColumn<SessionKind>(r, 10, "sessions.kind"));
  s.client_id = Text(r, 11);
  s.scope = Text(r, 12);
  s.auth_time = Int(r, 13);
  s.amr = Text(r, 14);
  s.idp = Text(r, 15);
  s.dpop_jkt = Text(r, 16);
  s.parent_id = Text(r, 17);
  return s;
}

// `cookie_hash` is NULL for every kind but kBrowser.
Status InsertSession(SqlConnection& c, const Session& s, SessionKind kind,
                     const SqlValue& cookie_hash) {
  return c
      .Exec(
          "INSERT INTO sessions (id, app_id, user_id, kind, client_id, scope, auth_time,"
          " created_at, last_used_at, expires_at, user_agent, ip, cookie_hash, amr, idp,"
          " dpop_jkt, parent_id)"
          " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
          {s.id, s.app_id, s.user_id, EnumValue(kind), s.client_id, s.scope, s.auth_time,
           s.created_at, s.last_used_at, s.expires_at, s.user_agent, s.ip, cookie_hash, s.amr,
           s.idp, s.dpop_jkt, s.parent_id})
      .status();
}

Status InsertRefreshToken(SqlConnection& c, const RefreshToken& t) {
  return c.Exec("INSERT INTO refresh_tokens (id, session_id, token_hash, created_at, expires_at)"
                " VALUES ($1, $2, $3, $4, $5)",
                {t.id, t.session_id, t.token_hash, t.created_at, t.expires_at})
      .status();
}

}  // namespace

Status SqlStore::CreateSession(const Session& s, const std::optional<RefreshToken>& first) {
  return db_->Write([&](SqlConnection& c) -> Status {
    TESSERA_RETURN_IF_ERROR(InsertSession(c, s, s.kind, Null()));
    if (!first) return OkStatus();
    RefreshToken t = *first;
    t.session_id = s.id;
    return InsertRefreshToken(c, t);
  });
}

Status SqlStore::CreateBrowserSession(const Session& s, std::string_view cookie_hash) {
  return db_->Write([&](SqlConnection& c) -> Status {
    return InsertSession(c, s, SessionKind::kBrowser, std::string(cookie_hash));
  });
}

Result<Session> SqlStore::GetBrowserSession(std::string_view app_id, std::string_view cookie_hash,
                                            UnixMillis now, int64_t idle_ttl_ms) {
  TESSERA_ASSIGN_OR_RETURN(
      SqlRows rows,
      ReadRows(StrCat({kSessionSelect,
                       "WHERE cookie_hash = $2 AND app_id = $1 AND kind = $5"
                       " AND revoked_at IS NULL AND expires_at > $3 AND last_used_at + $4 > $3"}),
               {std::string(app_id), std::string(cookie_hash), now, idle_ttl_ms,
                EnumValue(SessionKind::kBrowser)}));
  if (rows.empty()) return NotFoundError("session");
  return ReadSession(rows[0]);
}

Status SqlStore::TouchSession(std::string_view session_id, UnixMillis now) {
  TESSERA_ASSIGN_OR_RETURN(int64_t n,
                           WriteOne("UPDATE sessions SET last_used_at = $2 WHERE id = $1",
                                    {std::string(session_id), now}));
  return n == 1 ? OkStatus() : NotFoundError("session");
}

Result<Session> SqlStore::GetSession(std::string_view app_id, std::string_view session_id) {
  TESSERA_ASSIGN_OR_RETURN(SqlRows rows,
                           ReadRows(StrCat({kSessionSelect, "WHERE app_id = $1 AND id = $2"}),
                                    {std::string(app_id), std::string(session_id)}));
  if (rows.empty()) return NotFoundError("session");
  return ReadSession(rows[0]);
}

// Every kind. A browser session past its idle timeout is still listed: the idle TTL is the
// caller's setting, not the store's.
Result<std::vector<Session>> SqlStore::ListActiveSessions(std::string_view app_id,
                                                          std::string_view user_id,
                                                          UnixMillis now) {
  TESSERA_ASSIGN_OR_RETURN(
      SqlRows rows,
      ReadRows(
          StrCat({kSessionSelect,
                  "WHERE app_id = $1 AND user_id = $2 AND revoked_at IS NULL AND expires_at > $3"
                  " ORDER BY last_used_at DESC"}),
          {std::string(app_id), std::string(user_id), now}));
  std::vector<Session> out;
  for (const auto& r : rows) {
    TESSERA_ASSIGN_OR_RETURN(Session session, ReadSession(r));
    out.push_back(std::move(session));
  }
  return out;
}

// One transaction: mark the presented token used (only if it was unused — the atomic step
// that makes two racing rotations produce one winner), check its session, store the next.
// Only a token of a session of this app and this client is considered, both for the
// rotation and for reuse detection: another client replaying a stolen token must not be
// able to get a family revoked.
Result<Rotation> SqlStore::RotateRefreshToken(std::string_view app_id, std::string_view client_id,
                                              std::string_view token_hash, RefreshToken next,
                                              UnixMillis now) {
  Rotation rot;
  Status s = db_->Write([&](SqlConnection& c) -> Status {
    TESSERA_ASSIGN_OR_RETURN(
        SqlRows used,
        c.Query("UPDATE refresh_tokens SET used_at = $2"
                " WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2"
                // EXISTS, not IN (SELECT …): SQLite would list every
                // session of the app; this is one primary-key probe.
                " AND EXISTS (SELECT 1 FROM sessions s"
                " WHERE s.id = refresh_tokens.session_id AND s.app_id = $3 AND s.client_id = $4)"
                " RETURNING session_id",
                {std::string(token_hash), now, std::string(app_id), std::string(client_id)}));
    if (used.empty()) {
      TESSERA_ASSIGN_OR_RETURN(
          SqlRows seen,
          c.Query(StrCat({kSessionByToken, " AND s.client_id = $3"}),
                  {std::string(app_id), std::string(token_hash), std::string(client_id)}));
      if (!seen.empty() && OptInt(seen[0], kTokenUsedAt)) {
        rot.outcome = RotationOutcome::kReused;
        TESSERA_ASSIGN_OR_RETURN(rot.session, ReadSession(seen[0]));
      }
      return OkStatus();
    }
    // The session's last use is moved and its row read back in one statement (no read
    // before the write); no row means the session ended: the token's mark is rolled back.
    TESSERA_ASSIGN_OR_RETURN(
        SqlRows sess,
        c.Query(StrCat({"UPDATE sessions SET last_used_at = $2"
                        " WHERE id = $1 AND revoked_at IS NULL AND expires_at > $2 RETURNING ",
                        kSessionColumns}),
                {Text(used[0], 0), now}));
    if (sess.empty()) return AbortedError("session over");
    next.session_id = Text(used[0], 0);
    next.expires_at = std::min(next.expires_at, Int(sess[0], kSessionExpiresAt));
    TESSERA_RETURN_IF_ERROR(InsertRefreshToken(c, next));
    rot.outcome = RotationOutcome::kRotated;
    TESSERA_ASSIGN_OR_RETURN(rot.session, ReadSession(sess[0]));
    return OkStatus();
  });
  if (s.code() == StatusCode::kAborted) return Rotation{};
  if (!s.ok()) return s;
  return rot;
}

Result<RefreshTokenInfo> SqlStore::GetRefreshToken(std::string_view app_id,
                                                   std::string_view token_hash) {
  TESSERA_ASSIGN_OR_RETURN(
      SqlRows rows,
      ReadRows("SELECT s.id, s.app_id, s.user_id, s.created_at, s.last_used_at, s.expires_at,"
               " s.revoked_at, s.revoked_reason, s.user_agent, s.ip, s.kind, s.client_id, s.scope,"
               " s.auth_time, s.amr, s.idp, s.dpop_jkt, s.parent_id, t.id, t.token_hash,"
               " t.created_at,"
               " t.expires_at, t.used_at"
               " FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id"
               " WHERE s.app_id = $1 AND t.token_hash = $2",
               {std::string(app_id), std::string(token_hash)}));
  if (rows.empty()) return NotFoundError("refresh token");
  RefreshTokenInfo info;
  TESSERA_ASSIGN_OR_RETURN(info.session, ReadSession(rows[0]));
  info.token.id = Text(rows[0], 18);
  info.token.session_id = info.session.id;
  info.token.token_hash = Text(rows[0], 19);
  info.token.created_at = Int(rows[0], 20);
  info.token.expires_at = Int(rows[0], 21);
  info.token.used_at = OptInt(rows[0], 22);
  return info;
}

Result<Session> SqlStore::FindSessionByRefreshToken(std::string_view app_id,
                                                    std::string_view token_hash) {
  TESSERA_ASSIGN_OR_RETURN(SqlRows rows,
                           ReadRows(kSessionByToken, {std::string(app_id), std::string(token_hash)}));
  if (rows.empty()) return NotFoundError("session");
  return ReadSession(rows[0]);
}

Status SqlStore::RevokeSession(std::string_view app_id, std::string_view user_id,
                               std::string_view session_id, RevokeReason reason, UnixMillis now) {
  TESSERA_ASSIGN_OR_RETURN(
      int64_t n, EndSessions(app_id, reason, now,
                             "UPDATE sessions SET revoked_at = $4, revoked_reason = $5 WHERE"
                             " app_id = $1 AND user_id = $2 AND id = $3 AND revoked_at IS NULL",
                             {std::string(app_id), std::string(user_id), std::string(session_id),
                              now, EnumValue(reason)}));
  return n == 1 ? OkStatus() : NotFoundError("session");
}

Status SqlStore::RevokeSessionById(std::string_view app_id, std::string_view session_id,
                                   RevokeReason reason, UnixMillis now) {
  TESSERA_ASSIGN_OR_RETURN(
      int64_t n, EndSessions(app_id, reason, now,
                             "UPDATE sessions SET revoked_at = $3, revoked_reason = $4"
                             " WHERE app_id = $1 AND id = $2 AND revoked_at IS NULL",
                             {std::string(app_id), std::string(session_id), now, EnumValue(reason)}));
  return n == 1 ? OkStatus() : NotFoundError("session");
}

Result<int64_t> SqlStore::RevokeClientSessions(std::string_view app_id, std::string_view user_id,
                                               std::string_view client_id, RevokeReason reason,
                                               UnixMillis now) {
  return EndSessions(app_id, reason, now,
                     "UPDATE sessions SET revoked_at = $4, revoked_reason = $5"
                     " WHERE app_id = $1 AND user_id = $2 AND client_id = $3 AND kind = $6"
                     " AND revoked_at IS NULL AND expires_at > $4",
                     {std::string(app_id), std::string(user_id), std::string(client_id), now,
                      EnumValue(reason), EnumValue(SessionKind::kOAuth)});
}

Result<int64_t> SqlStore::RevokeUserSessions(std::string_view app_id, std::string_view user_id,
                                             std::string_view keep_session_id, RevokeReason reason,
                                             UnixMillis now) {
  return EndSessions(app_id, reason, now,
                     "UPDATE sessions SET revoked_at = $4, revoked_reason = $5"
                     " WHERE app_id = $1 AND user_id = $2 AND id <> $3 AND revoked_at IS NULL",
                     {std::string(app_id), std::string(user_id), std::string(keep_session_id), now,
                      EnumValue(reason)});
}

Status SqlStore::AdoptChildSessions(std::string_view app_id, std::string_view from_parent_id,
                                    std::string_view to_parent_id) {
  if (from_parent_id.empty()) return OkStatus();
  return WriteOne("UPDATE sessions SET parent_id = $3 WHERE app_id = $1 AND parent_id = $2",
                  {std::string(app_id), std::string(from_parent_id), std::string(to_parent_id)})
      .status();
}

// A revocation and what follows from it, in one transaction (the contract in
// session_store.h): `revoke` is an UPDATE that ends sessions; RETURNING says which, so the
// grants of an ended browser session end too (unless offline: OIDC Core §11 — offline access
// outlives the sign-in) and every client whose grant ended, or whose grant's browser session
// ended, is owed a logout token, queued here so that no crash between the two can lose it.
Result<int64_t> SqlStore::EndSessions(std::string_view app_id, RevokeReason reason,
                                      UnixMillis now, std::string_view revoke,
                                      std::initializer_list<SqlValue> params) {
  int64_t n = 0;
  TESSERA_RETURN_IF_ERROR(db_->Write([&](SqlConnection& c) -> Status {
    TESSERA_ASSIGN_OR_RETURN(SqlRows ended,
                             c.Query(StrCat({revoke, " RETURNING id, kind, client_id, user_id"}),
                                     std::span<const SqlValue>(params.begin(), params.size())));
    n = static_cast<int64_t>(ended.size());
    return AfterSessionsEnded(c, app_id, ended, reason, now);
  }));
  return n;
}

Status SqlStore::AfterSessionsEnded(SqlConnection& c, std::string_view app_id,
                                    const SqlRows& ended, RevokeReason reason, UnixMillis now) {
  const bool tell = EndingTellsClient(reason);
  const std::string app(app_id);
  for (const SqlRow& row : ended) {
    std::string kind = Text(row, 1);
    if (kind == ToText(SessionKind::kOAuth)) {
      if (tell) TESSERA_RETURN_IF_ERROR(QueueLogoutToken(c, app, row, "", now));
      continue;
    }
    if (kind != ToText(SessionKind::kBrowser)) continue;
    std::string parent = Text(row, 0);
    TESSERA_ASSIGN_OR_RETURN(
        SqlRows children,
        c.Query("UPDATE sessions SET revoked_at = $3, revoked_reason = $4"
                " WHERE app_id = $1 AND parent_id = $2 AND revoked_at IS NULL"
                " AND (' ' || scope || ' ') NOT LIKE '% offline_access %'"
                " RETURNING id, kind, client_id, user_id",
                {app, parent, now, EnumValue(reason)}));
    TESSERA_ASSIGN_OR_RETURN(
        SqlRows offline,
        c.Query("SELECT id, kind, client_id, user_id FROM sessions"
                " WHERE app_id = $1 AND parent_id = $2 AND revoked_at IS NULL AND expires_at > $3",
                {app, parent, now}));
    if (!tell) continue;
    for (const SqlRow& child : children) {
      TESSERA_RETURN_IF_ERROR(QueueLogoutToken(c, app, child, "", now));
    }
    for (const SqlRow& child : offline) {
      TESSERA_RETURN_IF_ERROR(QueueLogoutToken(c, app, child, parent, now));
    }
  }
  return OkStatus();
}

// `grant` is (id, kind, client_id, user_id) of an "oauth" session. Nothing is queued for a
// client without a back-channel logout URI. The id is made of the grant's (and, for a grant
// that outlives its browser session, that session's), so the same end is queued once.
Status SqlStore::QueueLogoutToken(SqlConnection& c, const std::string& app_id, const SqlRow& grant,
                                  std::string_view ended_parent, UnixMillis now) {
  std::string id = StrCat({"bcl_", Text(grant, 0)});
  if (!ended_parent.empty()) id = StrCat({id, "_", ended_parent});
  return c
      .Exec("INSERT INTO http_deliveries (id, app_id, kind, client_id, user_id, session_id,"
            " state, created_at, next_attempt_at)"
            " SELECT $1, $2, $3, client_id, $5, $6, $7, $8, $8 FROM oauth_clients"
            " WHERE app_id = $2 AND client_id = $4 AND backchannel_logout_uri <> ''"
            " AND revoked_at IS NULL"
            " ON CONFLICT (id) DO NOTHING",
            {id, app_id, EnumValue(DeliveryKind::kBackchannelLogout), Text(grant, 2),
             Text(grant, 3), Text(grant, 0), EnumValue(DeliveryState::kPending), now})
      .status();
}

}  // namespace tessera::store::sql
