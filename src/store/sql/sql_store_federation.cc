#include "base/strings.h"
#include "store/sql/sql_store.h"

namespace tessera::store::sql {
namespace {

// ---------------------------------------------------------------------------------------
// Identity providers

constexpr std::string_view kProviderColumns =
    "id, app_id, slug, kind, display_name, enabled, client_id, client_secret_sealed, issuer,"
    " authorization_endpoint, token_endpoint, userinfo_endpoint, jwks_uri, scopes,"
    " claim_mapping_json, allow_signup, trust_email, created_at, updated_at";

// kInternal for a kind we do not know.
Result<IdentityProvider> ReadProvider(const SqlRow& r) {
  IdentityProvider p;
  p.id = Text(r, 0);
  p.app_id = Text(r, 1);
  p.slug = Text(r, 2);
  TESSERA_ASSIGN_OR_RETURN(p.kind, EnumColumn<ProviderKind>(r, 3, "identity_providers.kind"));
  p.display_name = Text(r, 4);
  p.enabled = Int(r, 5) != 0;
  p.client_id = Text(r, 6);
  p.client_secret_sealed = Text(r, 7);
  p.issuer = Text(r, 8);
  p.authorization_endpoint = Text(r, 9);
  p.token_endpoint = Text(r, 10);
  p.userinfo_endpoint = Text(r, 11);
  p.jwks_uri = Text(r, 12);
  p.scopes = Text(r, 13);
  p.claim_mapping_json = Text(r, 14);
  p.allow_signup = Int(r, 15) != 0;
  p.trust_email = Int(r, 16) != 0;
  p.created_at = Int(r, 17);
  p.updated_at = Int(r, 18);
  return p;
}

Result<std::vector<IdentityProvider>> ReadProviders(const SqlRows& rows) {
  std::vector<IdentityProvider> out;
  out.reserve(rows.size());
  for (const auto& r : rows) {
    TESSERA_ASSIGN_OR_RETURN(IdentityProvider p, ReadProvider(r));
    out.push_back(std::move(p));
  }
  return out;
}

Result<IdentityProvider> OneProvider(const SqlRows& rows) {
  if (rows.empty()) return NotFoundError("identity provider");
  return ReadProvider(rows[0]);
}

// ---------------------------------------------------------------------------------------
// Linked identities

constexpr std::string_view kIdentityColumns =
    "id, app_id, user_id, provider_id, subject, email, username, created_at, last_used_at";

LinkedIdentity ReadIdentity(const SqlRow& r) {
  LinkedIdentity l;
  l.id = Text(r, 0);
  l.app_id = Text(r, 1);
  l.user_id = Text(r, 2);
  l.provider_id = Text(r, 3);
  l.subject = Text(r, 4);
  l.email = Text(r, 5);
  l.username = Text(r, 6);
  l.created_at = Int(r, 7);
  l.last_used_at = Int(r, 8);
  return l;
}

// ---------------------------------------------------------------------------------------
// Tickets

constexpr std::string_view kTicketColumns =
    "hash, app_id, kind, payload_json, created_at, expires_at, used_at";

// kInternal for a kind we do not know (every read names the kind, so only a row changed
// behind the store's back could have one).
Result<FederationTicket> ReadTicket(const SqlRow& r) {
  FederationTicket t;
  t.hash = Text(r, 0);
  t.app_id = Text(r, 1);
  TESSERA_ASSIGN_OR_RETURN(t.kind,
                           EnumColumn<FederationTicketKind>(r, 2, "federation_tickets.kind"));
  t.payload_json = Text(r, 3);
  t.created_at = Int(r, 4);
  t.expires_at = Int(r, 5);
  t.used_at = OptInt(r, 6);
  return t;
}

Result<FederationTicket> OneTicket(const SqlRows& rows) {
  if (rows.empty()) return NotFoundError("federation ticket");
  return ReadTicket(rows[0]);
}

// A ticket is live while unused and expires_at > now; $1..$4 are hash, app, kind, now.
constexpr std::string_view kLiveTicket =
    " WHERE hash = $1 AND app_id = $2 AND kind = $3 AND used_at IS NULL AND expires_at > $4";

}  // namespace

// ---------------------------------------------------------------------------------------
// Identity providers

Status SqlStore::CreateIdentityProvider(const IdentityProvider& p) {
  return WriteOne(
             StrCat({"INSERT INTO identity_providers (", kProviderColumns,
                     ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,"
                     " $15, $16, $17, $18, $19)"}),
             {p.id, p.app_id, p.slug, EnumValue(p.kind), p.display_name, int64_t{p.enabled},
              p.client_id, p.client_secret_sealed, p.issuer, p.authorization_endpoint,
              p.token_endpoint, p.userinfo_endpoint, p.jwks_uri, p.scopes, p.claim_mapping_json,
              int64_t{p.allow_signup}, int64_t{p.trust_email}, p.created_at, p.updated_at})
      .status();
}

// id, app_id and created_at only select the row; a slug taken by another provider of the app
// fails on identity_providers_slug_uq like a create would.
Status SqlStore::UpdateIdentityProvider(const IdentityProvider& p) {
  TESSERA_ASSIGN_OR_RETURN(
      int64_t n,
      WriteOne("UPDATE identity_providers SET slug = $3, kind = $4, display_name = $5,"
               " enabled = $6, client_id = $7, client_secret_sealed = $8, issuer = $9,"
               " authorization_endpoint = $10, token_endpoint = $11, userinfo_endpoint = $12,"
               " jwks_uri = $13, scopes = $14, claim_mapping_json = $15, allow_signup = $16,"
               " trust_email = $17, updated_at = $18"
               " WHERE app_id = $1 AND id = $2",
               {p.app_id, p.id, p.slug, EnumValue(p.kind), p.display_name, int64_t{p.enabled},
                p.client_id, p.client_secret_sealed, p.issuer, p.authorization_endpoint,
                p.token_endpoint, p.userinfo_endpoint, p.jwks_uri, p.scopes, p.claim_mapping_json,
                int64_t{p.allow_signup}, int64_t{p.trust_email}, p.updated_at}));
  return n == 1 ? OkStatus() : NotFoundError("identity provider");
}

Result<IdentityProvider> SqlStore::GetIdentityProvider(std::string_view app_id,
                                                       std::string_view slug) {
  TESSERA_ASSIGN_OR_RETURN(
      SqlRows rows, ReadRows(StrCat({"SELECT ", kProviderColumns,
                                     " FROM identity_providers WHERE app_id = $1 AND slug = $2"}),
                             {std::string(app_id), std::string(slug)}));
  return OneProvider(rows);
}

Result<IdentityProvider> SqlStore::GetIdentityProviderById(std::string_view app_id,
                                                           std::string_view id) {
  TESSERA_ASSIGN_OR_RETURN(
      SqlRows rows, ReadRows(StrCat({"SELECT ", kProviderColumns,
                                     " FROM identity_providers WHERE app_id = $1 AND id = $2"}),
                             {std::string(app_id), std::string(id)}));
  return OneProvider(rows);
}

Result<std::vector<IdentityProvider>> SqlStore::ListIdentityProviders(std::string_view app_id) {
  TESSERA_ASSIGN_OR_RETURN(
      SqlRows rows, ReadRows(StrCat({"SELECT ", kProviderColumns,
                                     " FROM identity_providers WHERE app_id = $1 ORDER BY slug"}),
                             {std::string(app_id)}));
  return ReadProviders(rows);
}

// Its linked identities go with it (ON DELETE CASCADE).
Status SqlStore::DeleteIdentityProvider(std::string_view app_id, std::string_view id) {
  TESSERA_ASSIGN_OR_RETURN(int64_t n,
                           WriteOne("DELETE FROM identity_providers WHERE app_id = $1 AND id = $2",
                                    {std::string(app_id), std::string(id)}));
  return n == 1 ? OkStatus() : NotFoundError("identity provider");
}

// ---------------------------------------------------------------------------------------
// Linked identities

// The foreign keys only say that the user and the provider exist; the check in the same
// transaction also requires both to be of the identity's app, so a service's mix-up cannot
// link across apps.
Status SqlStore::CreateLinkedIdentity(const LinkedIdentity& l) {
  return db_->Write([&](SqlConnection& c) -> Status {
    TESSERA_ASSIGN_OR_RETURN(
        SqlRows same_app,
        c.Query("SELECT 1 FROM users AS u JOIN identity_providers AS p ON p.app_id = u.app_id"
                " WHERE u.app_id = $1 AND u.id = $2 AND p.id = $3",
                {l.app_id, l.user_id, l.provider_id}));
    if (same_app.empty()) return NotFoundError("user or identity provider");
    return c
        .Exec(StrCat({"INSERT INTO linked_identities (", kIdentityColumns,
                      ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"}),
              {l.id, l.app_id, l.user_id, l.provider_id, l.subject, l.email, l.username,
               l.created_at, l.last_used_at})
        .status();
  });
}

Result<LinkedIdentity> SqlStore::FindLinkedIdentity(std::string_view app_id,
                                                    std::string_view provider_id,
                                                    std::string_view subject) {
  TESSERA_ASSIGN_OR_RETURN(
      SqlRows rows,
      ReadRows(StrCat({"SELECT ", kIdentityColumns,
                       " FROM linked_identities"
                       " WHERE app_id = $1 AND provider_id = $2 AND subject = $3"}),
               {std::string(app_id), std::string(provider_id), std::string(subject)}));
  if (rows.empty()) return NotFoundError("linked identity");
  return ReadIdentity(rows[0]);
}

Result<std::vector<LinkedIdentity>> SqlStore::ListLinkedIdentities(std::string_view app_id,
                                                                   std::string_view user_id) {
  TESSERA_ASSIGN_OR_RETURN(
      SqlRows rows, ReadRows(StrCat({"SELECT ", kIdentityColumns,
                                     " FROM linked_identities WHERE app_id = $1 AND user_id = $2"
                                     " ORDER BY created_at, id"}),
                             {std::string(app_id), std::string(user_id)}));
  std::vector<LinkedIdentity> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(ReadIdentity(r));
  return out;
}

Status SqlStore::TouchLinkedIdentity(std::string_view app_id, std::string_view id,
                                     std::string_view email, std::string_view username,
                                     UnixMillis now) {
  TESSERA_ASSIGN_OR_RETURN(
      int64_t n,
      WriteOne(
          "UPDATE linked_identities SET email = $3, username = $4, last_used_at = $5"
          " WHERE app_id = $1 AND id = $2",
          {std::string(app_id), std::string(id), std::string(email), std::string(username), now}));
  return n == 1 ? OkStatus() : NotFoundError("linked identity");
}

Status SqlStore::DeleteLinkedIdentity(std::string_view app_id, std::string_view user_id,
                                      std::string_view id) {
  TESSERA_ASSIGN_OR_RETURN(
      int64_t n, WriteOne("DELETE FROM linked_identities WHERE app_id = $1 AND user_id = $2"
                          " AND id = $3",
                          {std::string(app_id), std::string(user_id), std::string(id)}));
  return n == 1 ? OkStatus() : NotFoundError("linked identity");
}

// ---------------------------------------------------------------------------------------
// Tickets

Status SqlStore::CreateFederationTicket(const FederationTicket& t) {
  return WriteOne(StrCat({"INSERT INTO federation_tickets (", kTicketColumns,
                          ") VALUES ($1, $2, $3, $4, $5, $6, $7)"}),
                  {t.hash, t.app_id, EnumValue(t.kind), t.payload_json, t.created_at, t.expires_at,
                   Opt(t.used_at)})
      .status();
}

// One conditional UPDATE: of two racing calls one marks the row, the other's WHERE no longer
// matches (SQLite: one writer at a time; PostgreSQL: the second waits for the row lock, then
// re-checks used_at), so it updates nothing and is kNotFound.
Result<FederationTicket> SqlStore::ConsumeFederationTicket(std::string_view app_id,
                                                           std::string_view hash,
                                                           FederationTicketKind kind,
                                                           UnixMillis now) {
  SqlRows rows;
  TESSERA_RETURN_IF_ERROR(db_->Write([&](SqlConnection& c) -> Status {
    TESSERA_ASSIGN_OR_RETURN(
        rows, c.Query(StrCat({"UPDATE federation_tickets SET used_at = $4", kLiveTicket,
                              " RETURNING ", kTicketColumns}),
                      {std::string(hash), std::string(app_id), EnumValue(kind), now}));
    return OkStatus();
  }));
  return OneTicket(rows);
}

Result<FederationTicket> SqlStore::GetLiveFederationTicket(std::string_view app_id,
                                                           std::string_view hash,
                                                           FederationTicketKind kind,
                                                           UnixMillis now) {
  TESSERA_ASSIGN_OR_RETURN(
      SqlRows rows,
      ReadRows(StrCat({"SELECT ", kTicketColumns, " FROM federation_tickets", kLiveTicket}),
               {std::string(hash), std::string(app_id), EnumValue(kind), now}));
  return OneTicket(rows);
}

}  // namespace tessera::store::sql
