// Dynamic client registration (RFC 7591): the initial access tokens an app hands out.
#include "base/strings.h"
#include "store/sql/sql_store.h"

namespace tessera::store::sql {
namespace {

constexpr std::string_view kTokenSelect =
    "SELECT id, app_id, name, prefix, token_hash, created_by, created_at, expires_at,"
    " last_used_at, revoked_at FROM initial_access_tokens ";

InitialAccessToken ReadToken(const SqlRow& r) {
  InitialAccessToken t;
  t.id = Text(r, 0);
  t.app_id = Text(r, 1);
  t.name = Text(r, 2);
  t.prefix = Text(r, 3);
  t.token_hash = Text(r, 4);
  t.created_by = Text(r, 5);
  t.created_at = Int(r, 6);
  t.expires_at = OptInt(r, 7);
  t.last_used_at = OptInt(r, 8);
  t.revoked_at = OptInt(r, 9);
  return t;
}

}  // namespace

Status SqlStore::CreateInitialAccessToken(const InitialAccessToken& t) {
  return WriteOne("INSERT INTO initial_access_tokens (id, app_id, name, prefix, token_hash,"
                  " created_by, created_at, expires_at, last_used_at, revoked_at)"
                  " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                  {t.id, t.app_id, t.name, t.prefix, t.token_hash, t.created_by, t.created_at,
                   Opt(t.expires_at), Opt(t.last_used_at), Opt(t.revoked_at)})
      .status();
}

Result<std::vector<InitialAccessToken>> SqlStore::ListInitialAccessTokens(std::string_view app_id) {
  TESSERA_ASSIGN_OR_RETURN(
      SqlRows rows, ReadRows(StrCat({kTokenSelect, "WHERE app_id = $1 AND revoked_at IS NULL"
                                                   " ORDER BY created_at DESC, id DESC"}),
                             {std::string(app_id)}));
  std::vector<InitialAccessToken> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(ReadToken(r));
  return out;
}

Status SqlStore::RevokeInitialAccessToken(std::string_view app_id, std::string_view id,
                                          UnixMillis now) {
  TESSERA_ASSIGN_OR_RETURN(int64_t n,
                           WriteOne("UPDATE initial_access_tokens SET revoked_at = $3"
                                    " WHERE app_id = $1 AND id = $2 AND revoked_at IS NULL",
                                    {std::string(app_id), std::string(id), now}));
  return n == 1 ? OkStatus() : NotFoundError("initial access token");
}

Result<InitialAccessToken> SqlStore::FindInitialAccessToken(std::string_view app_id,
                                                            std::string_view token_hash) {
  TESSERA_ASSIGN_OR_RETURN(
      SqlRows rows, ReadRows(StrCat({kTokenSelect, "WHERE app_id = $1 AND token_hash = $2"}),
                             {std::string(app_id), std::string(token_hash)}));
  if (rows.empty()) return NotFoundError("initial access token");
  return ReadToken(rows[0]);
}

Status SqlStore::TouchInitialAccessToken(std::string_view id, UnixMillis now) {
  return WriteOne("UPDATE initial_access_tokens SET last_used_at = $2 WHERE id = $1",
                  {std::string(id), now})
      .status();
}

}  // namespace tessera::store::sql
