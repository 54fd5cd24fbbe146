#include "base/strings.h"
#include "store/sql/sql_store.h"

namespace tessera::store::sql {
namespace {

constexpr std::string_view kTokenColumns =
    "token_hash, app_id, user_id, email, purpose, new_email, redirect_uri, salt, attempts,"
    " created_at, expires_at, used_at";

// kInternal for a purpose we do not know.
Result<EmailToken> ReadToken(const SqlRow& r) {
  EmailToken t;
  t.token_hash = Text(r, 0);
  t.app_id = Text(r, 1);
  t.user_id = OptText(r, 2);
  t.email = Text(r, 3);
  TESSERA_ASSIGN_OR_RETURN(t.purpose, EnumColumn<EmailTokenPurpose>(r, 4, "email_tokens.purpose"));
  t.new_email = Text(r, 5);
  t.redirect_uri = Text(r, 6);
  t.salt = Text(r, 7);
  t.attempts = Int(r, 8);
  t.created_at = Int(r, 9);
  t.expires_at = Int(r, 10);
  t.used_at = OptInt(r, 11);
  return t;
}

}  // namespace

// One transaction: void the older unused tokens of (app, email, purpose), marking them used
// at the new token's creation time, then store the new one.
Status SqlStore::CreateEmailToken(const EmailToken& t) {
  return db_->Write([&](SqlConnection& c) -> Status {
    TESSERA_RETURN_IF_ERROR(
        c.Exec("UPDATE email_tokens SET used_at = $4"
               " WHERE app_id = $1 AND email = $2 AND purpose = $3 AND used_at IS NULL",
               {t.app_id, t.email, EnumValue(t.purpose), t.created_at})
            .status());
    return c
        .Exec(StrCat({"INSERT INTO email_tokens (", kTokenColumns,
                      ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"}),
              {t.token_hash, t.app_id, Opt(t.user_id), t.email, EnumValue(t.purpose), t.new_email,
               t.redirect_uri, t.salt, t.attempts, t.created_at, t.expires_at, Opt(t.used_at)})
        .status();
  });
}

// One transaction: mark the token used only if it is live (of two racing calls one updates
// the row, the other finds it used). When nothing was updated, a read in the same
// transaction says why: used (or voided), expired, or not a token of this app and purpose.
Result<EmailTokenRedemption> SqlStore::ConsumeEmailToken(std::string_view app_id,
                                                         std::string_view token_hash,
                                                         EmailTokenPurpose purpose, UnixMillis now,
                                                         int64_t max_attempts) {
  EmailTokenRedemption out;
  // No limit: any count passes (attempts < a huge bound).
  int64_t attempt_bound = max_attempts > 0 ? max_attempts : INT64_MAX;
  TESSERA_RETURN_IF_ERROR(db_->Write([&](SqlConnection& c) -> Status {
    TESSERA_ASSIGN_OR_RETURN(
        SqlRows used,
        c.Query("UPDATE email_tokens SET used_at = $4"
                " WHERE token_hash = $1 AND app_id = $2 AND purpose = $3"
                " AND used_at IS NULL AND expires_at > $4 AND attempts < $5 RETURNING " +
                    std::string(kTokenColumns),
                {std::string(token_hash), std::string(app_id), EnumValue(purpose), now,
                 attempt_bound}));
    if (!used.empty()) {
      out.outcome = EmailTokenOutcome::kConsumed;
      TESSERA_ASSIGN_OR_RETURN(out.token, ReadToken(used[0]));
      return OkStatus();
    }
    TESSERA_ASSIGN_OR_RETURN(
        SqlRows seen,
        c.Query(
            StrCat({"SELECT ", kTokenColumns,
                    " FROM email_tokens WHERE token_hash = $1 AND app_id = $2 AND purpose = $3"}),
            {std::string(token_hash), std::string(app_id), EnumValue(purpose)}));
    if (seen.empty()) return OkStatus();  // kInvalid
    TESSERA_ASSIGN_OR_RETURN(out.token, ReadToken(seen[0]));
    // Unused and unexpired but not consumed: its guesses are spent, which counts as used.
    out.outcome = out.token->used_at || out.token->expires_at > now ? EmailTokenOutcome::kUsed
                                                                    : EmailTokenOutcome::kExpired;
    return OkStatus();
  }));
  return out;
}

Result<EmailToken> SqlStore::GetEmailToken(std::string_view app_id, std::string_view token_hash,
                                           EmailTokenPurpose purpose) {
  TESSERA_ASSIGN_OR_RETURN(
      SqlRows rows,
      ReadRows(
          StrCat({"SELECT ", kTokenColumns,
                  " FROM email_tokens WHERE token_hash = $1 AND app_id = $2 AND purpose = $3"}),
          {std::string(token_hash), std::string(app_id), EnumValue(purpose)}));
  if (rows.empty()) return NotFoundError("email token");
  return ReadToken(rows[0]);
}

Result<EmailToken> SqlStore::GetLiveEmailToken(std::string_view app_id, std::string_view email,
                                               EmailTokenPurpose purpose, UnixMillis now) {
  TESSERA_ASSIGN_OR_RETURN(
      SqlRows rows,
      ReadRows(StrCat({"SELECT ", kTokenColumns,
                       " FROM email_tokens WHERE app_id = $1 AND email = $2 AND purpose = $3"
                       " AND used_at IS NULL AND expires_at > $4"
                       " ORDER BY created_at DESC, token_hash LIMIT 1"}),
               {std::string(app_id), std::string(email), EnumValue(purpose), now}));
  if (rows.empty()) return NotFoundError("email token");
  return ReadToken(rows[0]);
}

Result<int64_t> SqlStore::AddEmailTokenAttempt(std::string_view token_hash) {
  int64_t attempts = 0;
  TESSERA_RETURN_IF_ERROR(db_->Write([&](SqlConnection& c) -> Status {
    TESSERA_ASSIGN_OR_RETURN(
        SqlRows rows, c.Query("UPDATE email_tokens SET attempts = attempts + 1"
                              " WHERE token_hash = $1 RETURNING attempts",
                              {std::string(token_hash)}));
    if (rows.empty()) return NotFoundError("email token");
    attempts = Int(rows[0], 0);
    return OkStatus();
  }));
  return attempts;
}

Result<int64_t> SqlStore::VoidUserEmailTokens(std::string_view app_id, std::string_view user_id,
                                              UnixMillis now) {
  int64_t voided = 0;
  TESSERA_RETURN_IF_ERROR(db_->Write([&](SqlConnection& c) -> Status {
    TESSERA_ASSIGN_OR_RETURN(voided, c.Exec("UPDATE email_tokens SET used_at = $3"
                                            " WHERE app_id = $1 AND user_id = $2"
                                            " AND used_at IS NULL",
                                            {std::string(app_id), std::string(user_id), now}));
    return OkStatus();
  }));
  return voided;
}

}  // namespace tessera::store::sql
