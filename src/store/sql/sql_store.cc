#include "store/sql/sql_store.h"

#include "store/sql/postgres_change_listener.h"

namespace tessera::store::sql {

// Statements are bound by value inside the callback, so `params` only has to live for the call.
Result<SqlRows> SqlStore::ReadRows(std::string_view sql, std::initializer_list<SqlValue> params) {
  SqlRows rows;
  TESSERA_RETURN_IF_ERROR(db_->Read([&](SqlConnection& c) -> Status {
    TESSERA_ASSIGN_OR_RETURN(rows, c.Query(sql, params));
    return OkStatus();
  }));
  return rows;
}

Result<int64_t> SqlStore::WriteOne(std::string_view sql, std::initializer_list<SqlValue> params) {
  int64_t changed = 0;
  TESSERA_RETURN_IF_ERROR(db_->Write([&](SqlConnection& c) -> Status {
    TESSERA_ASSIGN_OR_RETURN(changed, c.Exec(sql, params));
    return OkStatus();
  }));
  return changed;
}

Status SqlStore::Ping() { return ReadRows("SELECT 1", {}).status(); }

Status SqlStore::SendChangeNotice(std::string_view payload) {
  if (db_->Dialect() != "postgres") return OkStatus();
  // Outside a transaction: delivered at once (the change it names has committed already).
  return ReadRows("SELECT pg_notify($1, $2)",
                  {std::string(kChangeChannel), std::string(payload)})
      .status();
}

// Refresh tokens, authorization codes, pushed requests, device authorizations and email
// tokens are kept one day past expiry so a late replay is still recognised as reuse (a used
// link says "already used"); throttle windows are
// dropped a day after they started; sent mail a week after it was sent (unsent mail stays);
// invitations a day after they expired; finished HTTP deliveries a week after they finished. Federation tickets and MFA challenges go as soon as
// they can no longer be consumed (expires_at <= now, used or not): a late replay is refused
// the same without its row.
Result<GcStats> SqlStore::CollectGarbage(UnixMillis now) {
  constexpr int64_t kGrace = 24LL * 3600 * 1000;
  constexpr int64_t kSentMailKept = 7 * kGrace;
  GcStats stats;
  TESSERA_RETURN_IF_ERROR(db_->Write([&](SqlConnection& c) -> Status {
    TESSERA_ASSIGN_OR_RETURN(stats.refresh_tokens,
                             c.Exec("DELETE FROM refresh_tokens WHERE expires_at < $1",
                                    {now - kGrace}));
    TESSERA_ASSIGN_OR_RETURN(
        stats.sessions,
        c.Exec("DELETE FROM sessions WHERE expires_at < $1 OR revoked_at < $1", {now - kGrace}));
    TESSERA_ASSIGN_OR_RETURN(
        stats.api_tokens,
        c.Exec("DELETE FROM api_tokens WHERE expires_at < $1 OR revoked_at < $1", {now - kGrace}));
    TESSERA_ASSIGN_OR_RETURN(
        stats.authorization_codes,
        c.Exec("DELETE FROM authorization_codes WHERE expires_at < $1", {now - kGrace}));
    TESSERA_ASSIGN_OR_RETURN(
        stats.pushed_requests,
        c.Exec("DELETE FROM pushed_authorization_requests WHERE expires_at < $1", {now - kGrace}));
    TESSERA_ASSIGN_OR_RETURN(
        stats.device_authorizations,
        c.Exec("DELETE FROM device_authorizations WHERE expires_at < $1", {now - kGrace}));
    TESSERA_ASSIGN_OR_RETURN(
        stats.throttle_entries,
        c.Exec("DELETE FROM login_throttle WHERE window_start < $1", {now - kGrace}));
    TESSERA_ASSIGN_OR_RETURN(
        stats.email_tokens,
        c.Exec("DELETE FROM email_tokens WHERE expires_at < $1", {now - kGrace}));
    TESSERA_ASSIGN_OR_RETURN(
        stats.sent_mail, c.Exec("DELETE FROM mail_outbox WHERE sent_at < $1", {now - kSentMailKept}));
    TESSERA_ASSIGN_OR_RETURN(
        stats.revoked_access_tokens,
        c.Exec("DELETE FROM revoked_access_tokens WHERE expires_at < $1", {now - kGrace}));
    TESSERA_ASSIGN_OR_RETURN(stats.dpop_proofs,
                             c.Exec("DELETE FROM dpop_proofs WHERE expires_at <= $1", {now}));
    TESSERA_ASSIGN_OR_RETURN(
        stats.finished_deliveries,
        c.Exec("DELETE FROM http_deliveries WHERE finished_at < $1", {now - kSentMailKept}));
    TESSERA_ASSIGN_OR_RETURN(
        stats.federation_tickets,
        c.Exec("DELETE FROM federation_tickets WHERE expires_at <= $1", {now}));
    TESSERA_ASSIGN_OR_RETURN(stats.mfa_challenges,
                             c.Exec("DELETE FROM mfa_challenges WHERE expires_at <= $1", {now}));
    // Expired invitations (never counted: an app's own are also dropped at its next invite).
    TESSERA_RETURN_IF_ERROR(
        c.Exec("DELETE FROM app_invitations WHERE expires_at < $1", {now - kGrace}).status());
    return OkStatus();
  }));
  return stats;
}

}  // namespace tessera::store::sql
