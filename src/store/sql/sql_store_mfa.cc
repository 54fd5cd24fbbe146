#include "base/strings.h"
#include "store/sql/sql_store.h"

namespace tessera::store::sql {
namespace {

// ---------------------------------------------------------------------------------------
// Factors

constexpr std::string_view kFactorColumns =
    "id, app_id, user_id, kind, name, secret_sealed, credential_id, public_key, counter,"
    " created_at, confirmed_at, last_used_at";

// kInternal for a kind we do not know.
Result<Factor> ReadFactor(const SqlRow& r) {
  Factor f;
  f.id = Text(r, 0);
  f.app_id = Text(r, 1);
  f.user_id = Text(r, 2);
  TESSERA_ASSIGN_OR_RETURN(f.kind, EnumColumn<FactorKind>(r, 3, "mfa_factors.kind"));
  f.name = Text(r, 4);
  f.secret_sealed = Text(r, 5);
  f.credential_id = Text(r, 6);  // NULL (TOTP) reads as ""
  f.public_key = Text(r, 7);
  f.counter = Int(r, 8);
  f.created_at = Int(r, 9);
  f.confirmed_at = OptInt(r, 10);
  f.last_used_at = OptInt(r, 11);
  return f;
}

Result<Factor> OneFactor(const SqlRows& rows) {
  if (rows.empty()) return NotFoundError("factor");
  return ReadFactor(rows[0]);
}

// "" is stored as NULL: a TOTP factor's credential id (mfa_factors_credential_id_uq holds any
// number of NULLs, but would let only one factor of the server have ""), and a passkey
// sign-in's challenge's user (no one yet).
SqlValue TextOrNull(const std::string& text) { return text.empty() ? Null() : SqlValue(text); }

// ---------------------------------------------------------------------------------------
// Recovery codes

constexpr std::string_view kRecoveryCodeColumns =
    "id, app_id, user_id, code_hash, created_at, used_at";

// ---------------------------------------------------------------------------------------
// Challenges

constexpr std::string_view kChallengeColumns =
    "hash, app_id, user_id, kind, payload_json, created_at, expires_at, used_at";

// kInternal for a kind we do not know (every read names the kind, so only a row changed
// behind the store's back could have one).
Result<MfaChallenge> ReadChallenge(const SqlRow& r) {
  MfaChallenge c;
  c.hash = Text(r, 0);
  c.app_id = Text(r, 1);
  c.user_id = Text(r, 2);
  TESSERA_ASSIGN_OR_RETURN(c.kind, EnumColumn<MfaChallengeKind>(r, 3, "mfa_challenges.kind"));
  c.payload_json = Text(r, 4);
  c.created_at = Int(r, 5);
  c.expires_at = Int(r, 6);
  c.used_at = OptInt(r, 7);
  return c;
}

Result<MfaChallenge> OneChallenge(const SqlRows& rows) {
  if (rows.empty()) return NotFoundError("MFA challenge");
  return ReadChallenge(rows[0]);
}

// A challenge is live while unused and expires_at > now; $1..$4 are hash, app, kind, now.
constexpr std::string_view kLiveChallenge =
    " WHERE hash = $1 AND app_id = $2 AND kind = $3 AND used_at IS NULL AND expires_at > $4";

// kNotFound unless the user `user_id` is of the app `app_id`; run inside the write that
// depends on it. The foreign keys only say that a user exists: this also requires it to be
// of the record's app, so a service's mix-up cannot attach a record across apps.
Status RequireUserOfApp(SqlConnection& c, std::string_view app_id, std::string_view user_id) {
  TESSERA_ASSIGN_OR_RETURN(SqlRows rows,
                           c.Query("SELECT 1 FROM users WHERE app_id = $1 AND id = $2",
                                   {std::string(app_id), std::string(user_id)}));
  return rows.empty() ? NotFoundError("user") : OkStatus();
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Factors

Status SqlStore::CreateFactor(const Factor& f) {
  return db_->Write([&](SqlConnection& c) -> Status {
    TESSERA_RETURN_IF_ERROR(RequireUserOfApp(c, f.app_id, f.user_id));
    return c
        .Exec(StrCat({"INSERT INTO mfa_factors (", kFactorColumns,
                      ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"}),
              {f.id, f.app_id, f.user_id, EnumValue(f.kind), f.name, f.secret_sealed,
               TextOrNull(f.credential_id), f.public_key, f.counter, f.created_at,
               Opt(f.confirmed_at), Opt(f.last_used_at)})
        .status();
  });
}

Result<std::vector<Factor>> SqlStore::ListFactors(std::string_view app_id,
                                                  std::string_view user_id) {
  TESSERA_ASSIGN_OR_RETURN(SqlRows rows,
                           ReadRows(StrCat({"SELECT ", kFactorColumns,
                                            " FROM mfa_factors WHERE app_id = $1 AND user_id = $2"
                                            " ORDER BY created_at, id"}),
                                    {std::string(app_id), std::string(user_id)}));
  std::vector<Factor> out;
  out.reserve(rows.size());
  for (const auto& r : rows) {
    TESSERA_ASSIGN_OR_RETURN(Factor f, ReadFactor(r));
    out.push_back(std::move(f));
  }
  return out;
}

Result<Factor> SqlStore::GetFactor(std::string_view app_id, std::string_view user_id,
                                   std::string_view id) {
  TESSERA_ASSIGN_OR_RETURN(
      SqlRows rows,
      ReadRows(StrCat({"SELECT ", kFactorColumns,
                       " FROM mfa_factors WHERE app_id = $1 AND user_id = $2 AND id = $3"}),
               {std::string(app_id), std::string(user_id), std::string(id)}));
  return OneFactor(rows);
}

// "" is no credential id (a TOTP factor's NULL never equals it).
Result<Factor> SqlStore::FindFactorByCredentialId(std::string_view app_id,
                                                  std::string_view credential_id) {
  TESSERA_ASSIGN_OR_RETURN(
      SqlRows rows, ReadRows(StrCat({"SELECT ", kFactorColumns,
                                     " FROM mfa_factors WHERE app_id = $1 AND credential_id = $2"}),
                             {std::string(app_id), std::string(credential_id)}));
  return OneFactor(rows);
}

// One conditional UPDATE: of two racing confirmations one sets confirmed_at, the other's
// WHERE no longer matches.
Status SqlStore::ConfirmFactor(std::string_view app_id, std::string_view user_id,
                               std::string_view id, int64_t counter, UnixMillis now) {
  TESSERA_ASSIGN_OR_RETURN(
      int64_t n,
      WriteOne("UPDATE mfa_factors SET confirmed_at = $5, counter = $4, last_used_at = $5"
               " WHERE app_id = $1 AND user_id = $2 AND id = $3 AND confirmed_at IS NULL",
               {std::string(app_id), std::string(user_id), std::string(id), counter, now}));
  return n == 1 ? OkStatus() : NotFoundError("unconfirmed factor");
}

// The compare-and-set is the one conditional UPDATE: of two racing calls with the same
// counter one moves it, and the other's WHERE (SQLite: one writer at a time; PostgreSQL: the
// second waits for the row lock, then re-checks the condition on the updated row) no longer
// matches. Only then does the follow-up read tell "no such confirmed factor" from "not
// advanced".
Status SqlStore::AdvanceFactorCounter(std::string_view app_id, std::string_view id, int64_t counter,
                                      bool allow_equal, UnixMillis now) {
  return db_->Write([&](SqlConnection& c) -> Status {
    TESSERA_ASSIGN_OR_RETURN(
        int64_t n,
        c.Exec("UPDATE mfa_factors SET counter = $3, last_used_at = $5"
               " WHERE app_id = $1 AND id = $2 AND confirmed_at IS NOT NULL"
               " AND (counter < $3 OR ($4 = 1 AND counter = $3))",
               {std::string(app_id), std::string(id), counter, int64_t{allow_equal}, now}));
    if (n == 1) return OkStatus();
    TESSERA_ASSIGN_OR_RETURN(SqlRows confirmed,
                             c.Query("SELECT 1 FROM mfa_factors"
                                     " WHERE app_id = $1 AND id = $2 AND confirmed_at IS NOT NULL",
                                     {std::string(app_id), std::string(id)}));
    if (confirmed.empty()) return NotFoundError("factor");
    return FailedPreconditionError("the factor's counter did not advance");
  });
}

Status SqlStore::RenameFactor(std::string_view app_id, std::string_view user_id,
                              std::string_view id, std::string_view name) {
  TESSERA_ASSIGN_OR_RETURN(int64_t n, WriteOne("UPDATE mfa_factors SET name = $4"
                                               " WHERE app_id = $1 AND user_id = $2 AND id = $3",
                                               {std::string(app_id), std::string(user_id),
                                                std::string(id), std::string(name)}));
  return n == 1 ? OkStatus() : NotFoundError("factor");
}

Status SqlStore::DeleteFactor(std::string_view app_id, std::string_view user_id,
                              std::string_view id) {
  TESSERA_ASSIGN_OR_RETURN(
      int64_t n, WriteOne("DELETE FROM mfa_factors WHERE app_id = $1 AND user_id = $2 AND id = $3",
                          {std::string(app_id), std::string(user_id), std::string(id)}));
  return n == 1 ? OkStatus() : NotFoundError("factor");
}

// Both in one transaction: no reader sees the codes without the factors they back up.
Result<int64_t> SqlStore::DeleteAllFactors(std::string_view app_id, std::string_view user_id) {
  int64_t factors = 0;
  TESSERA_RETURN_IF_ERROR(db_->Write([&](SqlConnection& c) -> Status {
    TESSERA_ASSIGN_OR_RETURN(factors,
                             c.Exec("DELETE FROM mfa_factors WHERE app_id = $1 AND user_id = $2",
                                    {std::string(app_id), std::string(user_id)}));
    return c
        .Exec("DELETE FROM mfa_recovery_codes WHERE app_id = $1 AND user_id = $2",
              {std::string(app_id), std::string(user_id)})
        .status();
  }));
  return factors;
}

// ---------------------------------------------------------------------------------------
// Recovery codes

// The old set goes and the new one comes in one transaction: no moment holds both or
// neither, and a clash (a code hash the server has) rolls it all back, old set kept.
// Each code is stored under `app_id` and `user_id`; a code naming another is refused
// (kInvalidArgument), as is a user not of the app (kNotFound).
Status SqlStore::ReplaceRecoveryCodes(std::string_view app_id, std::string_view user_id,
                                      const std::vector<RecoveryCode>& codes) {
  for (const RecoveryCode& code : codes) {
    if (code.app_id != app_id || code.user_id != user_id) {
      return InvalidArgumentError("a recovery code of another user");
    }
  }
  return db_->Write([&](SqlConnection& c) -> Status {
    TESSERA_RETURN_IF_ERROR(RequireUserOfApp(c, app_id, user_id));
    TESSERA_RETURN_IF_ERROR(
        c.Exec("DELETE FROM mfa_recovery_codes WHERE app_id = $1 AND user_id = $2",
               {std::string(app_id), std::string(user_id)})
            .status());
    const std::string insert = StrCat({"INSERT INTO mfa_recovery_codes (", kRecoveryCodeColumns,
                                       ") VALUES ($1, $2, $3, $4, $5, $6)"});
    for (const RecoveryCode& code : codes) {
      TESSERA_RETURN_IF_ERROR(c.Exec(insert, {code.id, code.app_id, code.user_id, code.code_hash,
                                              code.created_at, Opt(code.used_at)})
                                  .status());
    }
    return OkStatus();
  });
}

// One conditional UPDATE, as ConsumeFederationTicket: of two racing uses the second's WHERE
// no longer matches (used_at is set), so it changes nothing and is kNotFound.
Status SqlStore::UseRecoveryCode(std::string_view app_id, std::string_view user_id,
                                 std::string_view code_hash, UnixMillis now) {
  TESSERA_ASSIGN_OR_RETURN(
      int64_t n,
      WriteOne("UPDATE mfa_recovery_codes SET used_at = $4"
               " WHERE app_id = $1 AND user_id = $2 AND code_hash = $3 AND used_at IS NULL",
               {std::string(app_id), std::string(user_id), std::string(code_hash), now}));
  return n == 1 ? OkStatus() : NotFoundError("recovery code");
}

Result<int64_t> SqlStore::CountRecoveryCodes(std::string_view app_id, std::string_view user_id) {
  TESSERA_ASSIGN_OR_RETURN(SqlRows rows,
                           ReadRows("SELECT COUNT(*) FROM mfa_recovery_codes"
                                    " WHERE app_id = $1 AND user_id = $2 AND used_at IS NULL",
                                    {std::string(app_id), std::string(user_id)}));
  return rows.empty() ? 0 : Int(rows[0], 0);
}

// ---------------------------------------------------------------------------------------
// Challenges

// kNotFound unless the user is of the challenge's app (as CreateFactor).
Status SqlStore::CreateMfaChallenge(const MfaChallenge& ch) {
  return db_->Write([&](SqlConnection& c) -> Status {
    // A challenge for no one yet (a passkey sign-in, which the credential names) has no user.
    if (!ch.user_id.empty()) TESSERA_RETURN_IF_ERROR(RequireUserOfApp(c, ch.app_id, ch.user_id));
    return c
        .Exec(StrCat({"INSERT INTO mfa_challenges (", kChallengeColumns,
                      ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"}),
              {ch.hash, ch.app_id, TextOrNull(ch.user_id), EnumValue(ch.kind), ch.payload_json, ch.created_at,
               ch.expires_at, Opt(ch.used_at)})
        .status();
  });
}

Result<MfaChallenge> SqlStore::GetLiveMfaChallenge(std::string_view app_id, std::string_view hash,
                                                   MfaChallengeKind kind, UnixMillis now) {
  TESSERA_ASSIGN_OR_RETURN(
      SqlRows rows,
      ReadRows(StrCat({"SELECT ", kChallengeColumns, " FROM mfa_challenges", kLiveChallenge}),
               {std::string(hash), std::string(app_id), EnumValue(kind), now}));
  return OneChallenge(rows);
}

// One conditional UPDATE, as ConsumeFederationTicket: the second of two racing calls finds
// used_at set and updates nothing (kNotFound).
Result<MfaChallenge> SqlStore::ConsumeMfaChallenge(std::string_view app_id, std::string_view hash,
                                                   MfaChallengeKind kind, UnixMillis now) {
  SqlRows rows;
  TESSERA_RETURN_IF_ERROR(db_->Write([&](SqlConnection& c) -> Status {
    TESSERA_ASSIGN_OR_RETURN(
        rows, c.Query(StrCat({"UPDATE mfa_challenges SET used_at = $4", kLiveChallenge,
                              " RETURNING ", kChallengeColumns}),
                      {std::string(hash), std::string(app_id), EnumValue(kind), now}));
    return OkStatus();
  }));
  return OneChallenge(rows);
}

}  // namespace tessera::store::sql
