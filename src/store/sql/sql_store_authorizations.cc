#include <algorithm>

#include "store/sql/json_columns.h"
#include "store/sql/sql_store.h"
#include "base/strings.h"

namespace tessera::store::sql {
namespace {

constexpr std::string_view kCodeColumns =
    "code_hash, app_id, client_id, user_id, redirect_uri, scope, nonce, code_challenge,"
    " session_id, browser_session_id, auth_time, created_at, expires_at, used_at, amr, idp,"
    " dpop_jkt";

AuthorizationCode ReadCode(const SqlRow& r) {
  AuthorizationCode c;
  c.code_hash = Text(r, 0);
  c.app_id = Text(r, 1);
  c.client_id = Text(r, 2);
  c.user_id = Text(r, 3);
  c.redirect_uri = Text(r, 4);
  c.scope = Text(r, 5);
  c.nonce = Text(r, 6);
  c.code_challenge = Text(r, 7);
  c.session_id = Text(r, 8);
  c.browser_session_id = Text(r, 9);
  c.auth_time = Int(r, 10);
  c.created_at = Int(r, 11);
  c.expires_at = Int(r, 12);
  c.used_at = OptInt(r, 13);
  c.amr = Text(r, 14);
  c.idp = Text(r, 15);
  c.dpop_jkt = Text(r, 16);
  return c;
}

constexpr std::string_view kConsentSelect =
    "SELECT app_id, user_id, client_id, scopes_json, created_at, updated_at FROM consents ";

Consent ReadConsent(const SqlRow& r) {
  Consent c;
  c.app_id = Text(r, 0);
  c.user_id = Text(r, 1);
  c.client_id = Text(r, 2);
  c.scopes = StringListFromJson(Text(r, 3));
  c.created_at = Int(r, 4);
  c.updated_at = Int(r, 5);
  return c;
}

}  // namespace

Status SqlStore::CreateAuthorizationCode(const AuthorizationCode& c) {
  return WriteOne(StrCat({"INSERT INTO authorization_codes (", kCodeColumns,
                          ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, "
                          "$13, $14, $15, $16, $17)"}),
                  {c.code_hash, c.app_id, c.client_id, c.user_id, c.redirect_uri, c.scope, c.nonce,
                   c.code_challenge, c.session_id, c.browser_session_id, c.auth_time, c.created_at,
                   c.expires_at, Opt(c.used_at), c.amr, c.idp, c.dpop_jkt})
      .status();
}

// One transaction: mark the code used only if it is live (the atomic step: of two racing
// redemptions one updates the row, the other finds it used). When nothing was updated, a read
// in the same transaction tells a replay (used, whether or not it has expired since) from an
// unknown, expired or other app's code.
Result<CodeRedemption> SqlStore::RedeemAuthorizationCode(std::string_view app_id,
                                                         std::string_view code_hash,
                                                         UnixMillis now) {
  CodeRedemption out;
  TESSERA_RETURN_IF_ERROR(db_->Write([&](SqlConnection& c) -> Status {
    TESSERA_ASSIGN_OR_RETURN(
        SqlRows used,
        c.Query("UPDATE authorization_codes SET used_at = $3"
                " WHERE code_hash = $1 AND app_id = $2 AND used_at IS NULL AND expires_at > $3"
                " RETURNING " +
                    std::string(kCodeColumns),
                {std::string(code_hash), std::string(app_id), now}));
    if (!used.empty()) {
      out.outcome = CodeOutcome::kConsumed;
      out.code = ReadCode(used[0]);
      return OkStatus();
    }
    TESSERA_ASSIGN_OR_RETURN(
        SqlRows seen, c.Query(StrCat({"SELECT ", kCodeColumns,
                                      " FROM authorization_codes WHERE code_hash = $1 AND "
                                      "app_id = $2"}),
                              {std::string(code_hash), std::string(app_id)}));
    if (!seen.empty() && OptInt(seen[0], 13)) {
      out.outcome = CodeOutcome::kReused;
      out.code = ReadCode(seen[0]);
    }
    return OkStatus();
  }));
  return out;
}

Status SqlStore::CreatePushedRequest(const PushedAuthorizationRequest& r) {
  return WriteOne("INSERT INTO pushed_authorization_requests (request_uri_hash, app_id, client_id,"
                  " params_json, created_at, expires_at, used_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                  {r.request_uri_hash, r.app_id, r.client_id, r.params_json, r.created_at,
                   r.expires_at, Opt(r.used_at)})
      .status();
}

Result<PushedAuthorizationRequest> SqlStore::GetPushedRequest(std::string_view app_id,
                                                              std::string_view request_uri_hash) {
  TESSERA_ASSIGN_OR_RETURN(
      SqlRows rows,
      ReadRows("SELECT request_uri_hash, app_id, client_id, params_json, created_at, expires_at,"
               " used_at FROM pushed_authorization_requests"
               " WHERE request_uri_hash = $1 AND app_id = $2",
               {std::string(request_uri_hash), std::string(app_id)}));
  if (rows.empty()) return NotFoundError("pushed authorization request");
  PushedAuthorizationRequest r;
  r.request_uri_hash = Text(rows[0], 0);
  r.app_id = Text(rows[0], 1);
  r.client_id = Text(rows[0], 2);
  r.params_json = Text(rows[0], 3);
  r.created_at = Int(rows[0], 4);
  r.expires_at = Int(rows[0], 5);
  r.used_at = OptInt(rows[0], 6);
  return r;
}

// One UPDATE that only an unused row matches: of two racing uses, one changes the row.
Result<bool> SqlStore::UsePushedRequest(std::string_view app_id, std::string_view request_uri_hash,
                                        UnixMillis now) {
  TESSERA_ASSIGN_OR_RETURN(
      int64_t changed,
      WriteOne("UPDATE pushed_authorization_requests SET used_at = $3"
               " WHERE request_uri_hash = $1 AND app_id = $2 AND used_at IS NULL",
               {std::string(request_uri_hash), std::string(app_id), now}));
  return changed == 1;
}

Result<Consent> SqlStore::GetConsent(std::string_view app_id, std::string_view user_id,
                                     std::string_view client_id) {
  TESSERA_ASSIGN_OR_RETURN(
      SqlRows rows, ReadRows(StrCat({kConsentSelect,
                                     "WHERE app_id = $1 AND user_id = $2 AND client_id = $3"}),
                             {std::string(app_id), std::string(user_id), std::string(client_id)}));
  if (rows.empty()) return NotFoundError("consent");
  return ReadConsent(rows[0]);
}

// One upsert: a replace keeps the row's created_at.
Status SqlStore::SaveConsent(const Consent& c) {
  return WriteOne(
             "INSERT INTO consents (app_id, user_id, client_id, scopes_json, created_at,"
             " updated_at) VALUES ($1, $2, $3, $4, $5, $6)"
             " ON CONFLICT (app_id, user_id, client_id) DO UPDATE"
             " SET scopes_json = excluded.scopes_json, updated_at = excluded.updated_at",
             {c.app_id, c.user_id, c.client_id, StringListToJson(c.scopes), c.created_at,
              c.updated_at})
      .status();
}

// Read-merge-write inside one transaction: the insert makes sure the row exists, the no-op
// UPDATE takes its write lock (PostgreSQL: a concurrent grant waits, then reads this one's
// scopes; SQLite has one writer anyway), and only then are the scopes read and merged.
Status SqlStore::AddConsentScopes(const Consent& c) {
  return db_->Write([&](SqlConnection& conn) -> Status {
    const SqlValue app = c.app_id, user = c.user_id, client = c.client_id;
    TESSERA_RETURN_IF_ERROR(
        conn.Exec("INSERT INTO consents (app_id, user_id, client_id, scopes_json, created_at,"
                  " updated_at) VALUES ($1, $2, $3, '[]', $4, $4)"
                  " ON CONFLICT (app_id, user_id, client_id) DO NOTHING",
                  {app, user, client, c.created_at})
            .status());
    constexpr std::string_view kWhere = " WHERE app_id = $1 AND user_id = $2 AND client_id = $3";
    TESSERA_RETURN_IF_ERROR(
        conn.Exec(StrCat({"UPDATE consents SET updated_at = updated_at", kWhere}),
                  {app, user, client})
            .status());
    TESSERA_ASSIGN_OR_RETURN(
        SqlRows rows, conn.Query(StrCat({"SELECT scopes_json FROM consents", kWhere}),
                                 {app, user, client}));
    if (rows.empty()) return InternalError("consent vanished inside its transaction");
    std::vector<std::string> scopes = StringListFromJson(Text(rows[0], 0));
    for (const auto& s : c.scopes) {
      if (std::find(scopes.begin(), scopes.end(), s) == scopes.end()) scopes.push_back(s);
    }
    return conn
        .Exec(StrCat({"UPDATE consents SET scopes_json = $4, updated_at = $5", kWhere}),
              {app, user, client, StringListToJson(scopes), c.updated_at})
        .status();
  });
}

Result<std::vector<Consent>> SqlStore::ListConsents(std::string_view app_id,
                                                    std::string_view user_id) {
  TESSERA_ASSIGN_OR_RETURN(
      SqlRows rows, ReadRows(StrCat({kConsentSelect, "WHERE app_id = $1 AND user_id = $2"
                                                           " ORDER BY created_at DESC, client_id"}),
                             {std::string(app_id), std::string(user_id)}));
  std::vector<Consent> out;
  for (const auto& r : rows) out.push_back(ReadConsent(r));
  return out;
}

Status SqlStore::DeleteConsent(std::string_view app_id, std::string_view user_id,
                               std::string_view client_id) {
  TESSERA_ASSIGN_OR_RETURN(
      int64_t n, WriteOne("DELETE FROM consents WHERE app_id = $1 AND user_id = $2"
                          " AND client_id = $3",
                          {std::string(app_id), std::string(user_id), std::string(client_id)}));
  return n == 1 ? OkStatus() : NotFoundError("consent");
}

}  // namespace tessera::store::sql
