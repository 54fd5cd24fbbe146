// API tokens and signing keys.
#include "base/strings.h"
#include "store/sql/record_rows.h"
#include "store/sql/sql_store.h"

namespace tessera::store::sql {

Status SqlStore::CreateApiToken(const ApiToken& t) {
  return db_->Write(
      [&](SqlConnection& c) { return c.Exec(kApiTokenInsert, ApiTokenInsertParams(t)).status(); });
}

Result<ApiToken> SqlStore::GetApiTokenByHash(std::string_view token_hash) {
  TESSERA_ASSIGN_OR_RETURN(
      SqlRows rows,
      ReadRows(StrCat({kApiTokenSelect, "WHERE token_hash = $1"}), {std::string(token_hash)}));
  if (rows.empty()) return NotFoundError("api token");
  return ReadApiToken(rows[0]);
}

Result<std::vector<ApiToken>> SqlStore::ListApiTokens(std::string_view app_id,
                                                      std::string_view user_id) {
  TESSERA_ASSIGN_OR_RETURN(
      SqlRows rows, ReadRows(StrCat({kApiTokenSelect,
                                     "WHERE app_id = $1 AND user_id = $2 AND revoked_at IS NULL"
                                     " ORDER BY created_at DESC"}),
                             {std::string(app_id), std::string(user_id)}));
  std::vector<ApiToken> out;
  for (const auto& r : rows) out.push_back(ReadApiToken(r));
  return out;
}

Status SqlStore::RevokeApiToken(std::string_view app_id, std::string_view user_id,
                                std::string_view token_id, UnixMillis now) {
  TESSERA_ASSIGN_OR_RETURN(
      int64_t n, WriteOne("UPDATE api_tokens SET revoked_at = $4"
                          " WHERE app_id = $1 AND user_id = $2 AND id = $3 AND revoked_at IS NULL",
                          {std::string(app_id), std::string(user_id), std::string(token_id), now}));
  return n == 1 ? OkStatus() : NotFoundError("api token");
}

Result<std::vector<std::string>> SqlStore::RevokeUserApiTokens(std::string_view app_id,
                                                                std::string_view user_id,
                                                                UnixMillis now) {
  std::vector<std::string> ids;
  TESSERA_RETURN_IF_ERROR(db_->Write([&](SqlConnection& c) -> Status {
    TESSERA_ASSIGN_OR_RETURN(
        SqlRows rows,
        c.Query("UPDATE api_tokens SET revoked_at = $3"
                " WHERE app_id = $1 AND user_id = $2 AND revoked_at IS NULL"
                " AND (expires_at IS NULL OR expires_at > $3) RETURNING id",
                {std::string(app_id), std::string(user_id), now}));
    for (const auto& r : rows) ids.push_back(Text(r, 0));
    return OkStatus();
  }));
  return ids;
}

Status SqlStore::TouchApiToken(std::string_view token_id, UnixMillis now) {
  return WriteOne("UPDATE api_tokens SET last_used_at = $2 WHERE id = $1",
                  {std::string(token_id), now})
      .status();
}

Status SqlStore::InsertSigningKey(const SigningKeyRecord& k) {
  return WriteOne(
             "INSERT INTO signing_keys (kid, alg, private_key_sealed, public_jwk_json,"
             " created_at, retired_at, sign_from) VALUES ($1, $2, $3, $4, $5, $6, $7)",
             {k.kid, k.alg, k.private_key_sealed, k.public_jwk_json, k.created_at,
              Opt(k.retired_at), k.sign_from})
      .status();
}

Result<std::vector<SigningKeyRecord>> SqlStore::ListSigningKeys() {
  TESSERA_ASSIGN_OR_RETURN(
      SqlRows rows, ReadRows("SELECT kid, alg, private_key_sealed, public_jwk_json, created_at,"
                             " retired_at, sign_from FROM signing_keys"
                             " ORDER BY created_at DESC, kid DESC",
                             {}));
  std::vector<SigningKeyRecord> out;
  for (const auto& r : rows) {
    out.push_back({Text(r, 0), Text(r, 1), Text(r, 2), Text(r, 3), Int(r, 4), OptInt(r, 5),
                   Int(r, 6)});
  }
  return out;
}

Status SqlStore::ReplaceSigningKey(const SigningKeyRecord& next, std::string_view replaces_kid) {
  return db_->Write([&](SqlConnection& c) -> Status {
    // The compare-and-set: on PostgreSQL a second rotation waits on this row's lock, then
    // finds it replaced and changes nothing; SQLite runs one writer at a time.
    TESSERA_ASSIGN_OR_RETURN(
        int64_t replaced,
        c.Exec("UPDATE signing_keys SET retired_at = $3 WHERE kid = $1 AND alg = $2"
               " AND retired_at IS NULL",
               {std::string(replaces_kid), next.alg, next.sign_from}));
    if (replaced != 1) return AbortedError("the signing key was rotated meanwhile");
    TESSERA_RETURN_IF_ERROR(
        c.Exec("UPDATE signing_keys SET retired_at = $2 WHERE alg = $1 AND retired_at IS NULL",
               {next.alg, next.sign_from})
            .status());
    return c.Exec("INSERT INTO signing_keys (kid, alg, private_key_sealed, public_jwk_json,"
                  " created_at, retired_at, sign_from) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                  {next.kid, next.alg, next.private_key_sealed, next.public_jwk_json,
                   next.created_at, Opt(next.retired_at), next.sign_from})
        .status();
  });
}

Status SqlStore::RetireSigningKeysExcept(std::string_view keep_kid, UnixMillis now) {
  // Only keys older than keep_kid (in ListSigningKeys' order): when two nodes create a key at
  // once, the newest stays active whichever retires last, never neither.
  return WriteOne("UPDATE signing_keys SET retired_at = $2 WHERE retired_at IS NULL"
                  " AND alg = (SELECT alg FROM signing_keys WHERE kid = $1)"
                  " AND (created_at, kid) < (SELECT created_at, kid FROM signing_keys WHERE kid = $1)",
                  {std::string(keep_kid), now})
      .status();
}

Status SqlStore::AddRevokedAccessToken(std::string_view app_id, std::string_view jti,
                                       UnixMillis expires_at) {
  return WriteOne("INSERT INTO revoked_access_tokens (app_id, jti, expires_at) VALUES ($1, $2, $3)"
                  " ON CONFLICT (app_id, jti) DO NOTHING",
                  {std::string(app_id), std::string(jti), expires_at})
      .status();
}

Result<bool> SqlStore::RecordDpopProof(std::string_view app_id, std::string_view proof_id,
                                       UnixMillis expires_at) {
  // The primary key decides between two nodes: the insert that loses changes no row.
  TESSERA_ASSIGN_OR_RETURN(
      int64_t inserted,
      WriteOne("INSERT INTO dpop_proofs (app_id, proof_id, expires_at) VALUES ($1, $2, $3)"
               " ON CONFLICT (app_id, proof_id) DO NOTHING",
               {std::string(app_id), std::string(proof_id), expires_at}));
  return inserted == 1;
}

Result<bool> SqlStore::IsAccessTokenRevoked(std::string_view app_id, std::string_view jti) {
  TESSERA_ASSIGN_OR_RETURN(
      SqlRows rows, ReadRows("SELECT 1 FROM revoked_access_tokens WHERE app_id = $1 AND jti = $2",
                             {std::string(app_id), std::string(jti)}));
  return !rows.empty();
}

}  // namespace tessera::store::sql
