#include "store/sql/json_columns.h"
#include "base/strings.h"
#include "store/sql/sql_store.h"

namespace tessera::store::sql {
namespace {

constexpr std::string_view kClientSelect =
    "SELECT client_id, app_id, name, secret_hash, is_public, first_party, redirect_uris_json,"
    " grant_types_json, scopes_json, created_at, revoked_at, post_logout_redirect_uris_json,"
    " id_token_signed_response_alg, resource_server, require_pushed_authorization_requests,"
    " token_exchange_audiences_json, dpop_bound_access_tokens, registration_access_token_hash,"
    " backchannel_logout_uri, backchannel_logout_session_required, jwks,"
    " require_signed_request_object, pairwise_subject FROM oauth_clients ";

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
  c.id_token_signed_response_alg = Text(r, 12);
  c.resource_server = Int(r, 13) != 0;
  c.require_pushed_authorization_requests = Int(r, 14) != 0;
  c.token_exchange_audiences = StringListFromJson(Text(r, 15));
  c.dpop_bound_access_tokens = Int(r, 16) != 0;
  c.registration_access_token_hash = Text(r, 17);
  c.backchannel_logout_uri = Text(r, 18);
  c.backchannel_logout_session_required = Int(r, 19) != 0;
  c.jwks = Text(r, 20);
  c.require_signed_request_object = Int(r, 21) != 0;
  c.pairwise_subject = Int(r, 22) != 0;
  return c;
}

}  // namespace

Status SqlStore::CreateClient(const OAuthClient& c) {
  return WriteOne(
             "INSERT INTO oauth_clients (client_id, app_id, name, secret_hash, is_public,"
             " first_party, redirect_uris_json, grant_types_json, scopes_json, created_at,"
             " post_logout_redirect_uris_json, id_token_signed_response_alg, resource_server,"
             " require_pushed_authorization_requests, token_exchange_audiences_json,"
             " dpop_bound_access_tokens, registration_access_token_hash, backchannel_logout_uri,"
             " backchannel_logout_session_required, jwks, require_signed_request_object,"
             " pairwise_subject)"
             " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,"
             " $17, $18, $19, $20, $21, $22)",
             {c.client_id, c.app_id, c.name, Opt(c.secret_hash), int64_t{c.is_public},
              int64_t{c.first_party}, StringListToJson(c.redirect_uris),
              StringListToJson(c.grant_types), StringListToJson(c.scopes), c.created_at,
              StringListToJson(c.post_logout_redirect_uris), c.id_token_signed_response_alg,
              int64_t{c.resource_server}, int64_t{c.require_pushed_authorization_requests},
              StringListToJson(c.token_exchange_audiences), int64_t{c.dpop_bound_access_tokens},
              c.registration_access_token_hash, c.backchannel_logout_uri,
              int64_t{c.backchannel_logout_session_required}, c.jwks,
              int64_t{c.require_signed_request_object}, int64_t{c.pairwise_subject}})
      .status();
}

Result<OAuthClient> SqlStore::GetClient(std::string_view app_id, std::string_view client_id) {
  TESSERA_ASSIGN_OR_RETURN(
      SqlRows rows,
      ReadRows(
          StrCat({kClientSelect, "WHERE app_id = $1 AND client_id = $2 AND revoked_at IS NULL"}),
          {std::string(app_id), std::string(client_id)}));
  if (rows.empty()) return NotFoundError("client");
  return ReadClient(rows[0]);
}

Result<std::vector<OAuthClient>> SqlStore::ListClients(std::string_view app_id) {
  TESSERA_ASSIGN_OR_RETURN(
      SqlRows rows,
      ReadRows(StrCat({kClientSelect,
                       "WHERE app_id = $1 AND revoked_at IS NULL ORDER BY created_at, client_id"}),
               {std::string(app_id)}));
  std::vector<OAuthClient> out;
  for (const auto& r : rows) out.push_back(ReadClient(r));
  return out;
}

// Read-modify-write of a live client in one transaction; the no-op UPDATE first takes the
// row's write lock (see UpdateApp), and finds nothing for an unknown, other app's or revoked
// client.
Result<OAuthClient> SqlStore::UpdateClient(std::string_view app_id, std::string_view client_id,
                                           const std::function<Status(OAuthClient&)>& mutate) {
  OAuthClient client;
  Status s = db_->Write([&](SqlConnection& c) -> Status {
    TESSERA_ASSIGN_OR_RETURN(int64_t locked,
                             c.Exec("UPDATE oauth_clients SET name = name"
                                    " WHERE app_id = $1 AND client_id = $2 AND revoked_at IS NULL",
                                    {std::string(app_id), std::string(client_id)}));
    if (locked != 1) return NotFoundError("client");
    TESSERA_ASSIGN_OR_RETURN(
        SqlRows rows,
        c.Query(
            StrCat({kClientSelect, "WHERE app_id = $1 AND client_id = $2 AND revoked_at IS NULL"}),
            {std::string(app_id), std::string(client_id)}));
    if (rows.empty()) return NotFoundError("client");
    client = ReadClient(rows[0]);
    const OAuthClient before = client;
    TESSERA_RETURN_IF_ERROR(mutate(client));
    // Not changeable here: the returned client is what is stored.
    client.client_id = before.client_id;
    client.app_id = before.app_id;
    client.created_at = before.created_at;
    client.revoked_at = before.revoked_at;
    return c
        .Exec(
            "UPDATE oauth_clients SET name = $3, secret_hash = $4, is_public = $5,"
            " first_party = $6, redirect_uris_json = $7, grant_types_json = $8,"
            " scopes_json = $9, post_logout_redirect_uris_json = $10,"
            " id_token_signed_response_alg = $11, resource_server = $12,"
            " require_pushed_authorization_requests = $13, token_exchange_audiences_json = $14,"
            " dpop_bound_access_tokens = $15, registration_access_token_hash = $16,"
            " backchannel_logout_uri = $17, backchannel_logout_session_required = $18,"
            " jwks = $19, require_signed_request_object = $20, pairwise_subject = $21"
            " WHERE app_id = $1 AND client_id = $2",
            {client.app_id, client.client_id, client.name, Opt(client.secret_hash),
             int64_t{client.is_public}, int64_t{client.first_party},
             StringListToJson(client.redirect_uris), StringListToJson(client.grant_types),
             StringListToJson(client.scopes), StringListToJson(client.post_logout_redirect_uris),
             client.id_token_signed_response_alg, int64_t{client.resource_server},
             int64_t{client.require_pushed_authorization_requests},
             StringListToJson(client.token_exchange_audiences),
             int64_t{client.dpop_bound_access_tokens}, client.registration_access_token_hash,
             client.backchannel_logout_uri,
             int64_t{client.backchannel_logout_session_required}, client.jwks,
             int64_t{client.require_signed_request_object}, int64_t{client.pairwise_subject}})
        .status();
  });
  if (!s.ok()) return s;
  return client;
}

// One transaction: the client, its grants (its "oauth" sessions, whose tokens introspection and
// userinfo then refuse) and the consents given to it end together.
Result<int64_t> SqlStore::RevokeClient(std::string_view app_id, std::string_view client_id,
                                       UnixMillis now) {
  int64_t grants = 0;
  Status s = db_->Write([&](SqlConnection& c) -> Status {
    TESSERA_ASSIGN_OR_RETURN(int64_t n,
                             c.Exec("UPDATE oauth_clients SET revoked_at = $3"
                                    " WHERE app_id = $1 AND client_id = $2 AND revoked_at IS NULL",
                                    {std::string(app_id), std::string(client_id), now}));
    if (n != 1) return NotFoundError("client");
    TESSERA_ASSIGN_OR_RETURN(
        grants, c.Exec("UPDATE sessions SET revoked_at = $3, revoked_reason = $4"
                       " WHERE app_id = $1 AND client_id = $2 AND revoked_at IS NULL",
                       {std::string(app_id), std::string(client_id), now,
                        EnumValue(RevokeReason::kClientRevoked)}));
    return c
        .Exec("DELETE FROM consents WHERE app_id = $1 AND client_id = $2",
              {std::string(app_id), std::string(client_id)})
        .status();
  });
  if (!s.ok()) return s;
  return grants;
}

}  // namespace tessera::store::sql
