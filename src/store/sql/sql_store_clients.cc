#include "store/sql/json_columns.h"
#include "store/sql/sql_store.h"

namespace tessera::store::sql {
namespace {

constexpr std::string_view kClientSelect =
    "SELECT client_id, app_id, name, secret_hash, is_public, first_party, redirect_uris_json,"
    " grant_types_json, scopes_json, created_at, revoked_at, post_logout_redirect_uris_json"
    " FROM oauth_clients ";

OAuthClient ReadClient(const SqlRow& r) {
  OAuthClient c;
  c.client_id = Text(r, 0);
  c.app_id = Text(r, 1);
  c.name = Text(r, 2);
  c.secret_hash = OptText(r, 3);
  c.is_public = Int(r, 4) != 0;
  c.first_party = Int(r, 5) != 0;
  c.redirect_uris = StringListFromJson(Text(r, 6));
  c.grant_types = StringListFromJson(Text(r, 7));
  c.scopes = StringListFromJson(Text(r, 8));
  c.created_at = Int(r, 9);
  c.revoked_at = OptInt(r, 10);
  c.post_logout_redirect_uris = StringListFromJson(Text(r, 11));
  return c;
}

}  // namespace

Status SqlStore::CreateClient(const OAuthClient& c) {
  Status s = WriteOne(
                 "INSERT INTO oauth_clients (client_id, app_id, name, secret_hash, is_public,"
                 " first_party, redirect_uris_json, grant_types_json, scopes_json, created_at,"
                 " post_logout_redirect_uris_json)"
                 " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                 {c.client_id, c.app_id, c.name, Opt(c.secret_hash), int64_t{c.is_public},
                  int64_t{c.first_party}, StringListToJson(c.redirect_uris),
                  StringListToJson(c.grant_types), StringListToJson(c.scopes), c.created_at,
                  StringListToJson(c.post_logout_redirect_uris)})
                 .status();
  return s.IsAlreadyExists() ? AlreadyExistsError("client_id") : s;
}

Result<OAuthClient> SqlStore::GetClient(std::string_view app_id, std::string_view client_id) {
  TESSERA_ASSIGN_OR_RETURN(
      SqlRows rows, ReadRows(std::string(kClientSelect) +
                                 "WHERE app_id = $1 AND client_id = $2 AND revoked_at IS NULL",
                             {std::string(app_id), std::string(client_id)}));
  if (rows.empty()) return NotFoundError("client");
  return ReadClient(rows[0]);
}

Result<std::vector<OAuthClient>> SqlStore::ListClients(std::string_view app_id) {
  TESSERA_ASSIGN_OR_RETURN(
      SqlRows rows,
      ReadRows(std::string(kClientSelect) +
                   "WHERE app_id = $1 AND revoked_at IS NULL ORDER BY created_at, client_id",
               {std::string(app_id)}));
  std::vector<OAuthClient> out;
  for (const auto& r : rows) out.push_back(ReadClient(r));
  return out;
}

}  // namespace tessera::store::sql
