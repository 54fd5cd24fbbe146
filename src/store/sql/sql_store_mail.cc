#include <algorithm>

#include "base/strings.h"
#include "store/sql/sql_store.h"

namespace tessera::store::sql {
namespace {

constexpr std::string_view kMailColumns =
    "id, app_id, to_address, from_address, subject, text_body, html_body, kind, attempts,"
    " last_error, created_at, next_attempt_at, sent_at, reply_to";

// Error texts come from the SMTP client; keep the column small.
constexpr size_t kMaxErrorBytes = 1000;

OutgoingMail ReadMail(const SqlRow& r) {
  OutgoingMail m;
  m.id = Text(r, 0);
  m.app_id = Text(r, 1);
  m.to_address = Text(r, 2);
  m.from_address = Text(r, 3);
  m.subject = Text(r, 4);
  m.text_body = Text(r, 5);
  m.html_body = Text(r, 6);
  m.kind = Text(r, 7);
  m.attempts = Int(r, 8);
  m.last_error = Text(r, 9);
  m.created_at = Int(r, 10);
  m.next_attempt_at = Int(r, 11);
  m.sent_at = OptInt(r, 12);
  m.reply_to = Text(r, 13);
  return m;
}

}  // namespace

Status SqlStore::EnqueueMail(const OutgoingMail& m) {
  return WriteOne(
             StrCat({"INSERT INTO mail_outbox (", kMailColumns,
                     ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"}),
             {m.id, m.app_id, m.to_address, m.from_address, m.subject, m.text_body, m.html_body,
              m.kind, m.attempts, m.last_error, m.created_at, m.next_attempt_at, Opt(m.sent_at),
              m.reply_to})
      .status();
}

// One statement, so the lease is atomic on both engines. SQLite has a single writer. On
// PostgreSQL two nodes may pick the same ids in the subquery; the first to lock a row leases
// it, and the second, after waiting for that lock, re-checks the outer WHERE against the new
// row version (READ COMMITTED's re-check): next_attempt_at is now past the lease, so it skips
// the row. Hence the repeated conditions.
Result<std::vector<OutgoingMail>> SqlStore::LeaseDueMail(UnixMillis now, int limit,
                                                         int64_t lease_ms) {
  std::vector<OutgoingMail> out;
  if (limit <= 0) return out;
  TESSERA_RETURN_IF_ERROR(db_->Write([&](SqlConnection& c) -> Status {
    TESSERA_ASSIGN_OR_RETURN(
        SqlRows rows,
        c.Query("UPDATE mail_outbox SET attempts = attempts + 1, next_attempt_at = $2"
                " WHERE sent_at IS NULL AND next_attempt_at <= $1 AND id IN ("
                "SELECT id FROM mail_outbox WHERE sent_at IS NULL AND next_attempt_at <= $1"
                " ORDER BY next_attempt_at, created_at LIMIT $3)"
                " RETURNING " +
                    std::string(kMailColumns),
                {now, now + lease_ms, int64_t{limit}}));
    for (const auto& r : rows) out.push_back(ReadMail(r));
    return OkStatus();
  }));
  // RETURNING has no order: oldest first.
  std::sort(out.begin(), out.end(), [](const OutgoingMail& a, const OutgoingMail& b) {
    return a.created_at != b.created_at ? a.created_at < b.created_at : a.id < b.id;
  });
  return out;
}

// Idempotent: a mail already marked sent keeps its first sent_at.
Status SqlStore::MarkMailSent(std::string_view mail_id, UnixMillis now) {
  TESSERA_ASSIGN_OR_RETURN(
      int64_t n, WriteOne("UPDATE mail_outbox SET sent_at = COALESCE(sent_at, $2),"
                          " last_error = '' WHERE id = $1",
                          {std::string(mail_id), now}));
  return n == 1 ? OkStatus() : NotFoundError("mail");
}

Status SqlStore::MarkMailFailed(std::string_view mail_id, std::string_view error,
                                UnixMillis retry_at) {
  std::string text(error.substr(0, std::min(error.size(), kMaxErrorBytes)));
  // Never cut a UTF-8 sequence in two (PostgreSQL refuses invalid UTF-8).
  while (!text.empty() && text.size() < error.size() &&
         (static_cast<unsigned char>(error[text.size()]) & 0xC0) == 0x80) {
    text.pop_back();
  }
  TESSERA_ASSIGN_OR_RETURN(
      int64_t n, WriteOne("UPDATE mail_outbox SET last_error = $2, next_attempt_at = $3"
                          " WHERE id = $1 AND sent_at IS NULL",
                          {std::string(mail_id), std::move(text), retry_at}));
  if (n == 1) return OkStatus();
  // Sent meanwhile (another node after the lease ended): nothing to retry.
  TESSERA_ASSIGN_OR_RETURN(SqlRows rows, ReadRows("SELECT id FROM mail_outbox WHERE id = $1",
                                                  {std::string(mail_id)}));
  return rows.empty() ? NotFoundError("mail") : OkStatus();
}

Result<int64_t> SqlStore::CountUnsentMail() {
  TESSERA_ASSIGN_OR_RETURN(SqlRows rows,
                           ReadRows("SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NULL", {}));
  return rows.empty() ? 0 : Int(rows[0], 0);
}

}  // namespace tessera::store::sql
