// Sender domains of apps (issue 11, item 8): claims and their DNS verification.
#include "store/sql/sql_store.h"

namespace tessera::store::sql {

Status SqlStore::CreateMailDomain(const MailDomain& d) {
  return WriteOne(
             "INSERT INTO app_mail_domains (app_id, domain, token, created_at, verified_at)"
             " VALUES ($1, $2, $3, $4, $5)",
             {d.app_id, d.domain, d.token, d.created_at, Opt(d.verified_at)})
      .status();
}

Result<MailDomain> SqlStore::GetMailDomain(std::string_view app_id, std::string_view domain) {
  TESSERA_ASSIGN_OR_RETURN(
      SqlRows rows,
      ReadRows("SELECT app_id, domain, token, created_at, verified_at FROM app_mail_domains"
               " WHERE app_id = $1 AND domain = $2",
               {std::string(app_id), std::string(domain)}));
  if (rows.empty()) return NotFoundError("mail domain");
  const SqlRow& r = rows[0];
  return MailDomain{Text(r, 0), Text(r, 1), Text(r, 2), Int(r, 3), OptInt(r, 4)};
}

Status SqlStore::MarkMailDomainVerified(std::string_view app_id, std::string_view domain,
                                        UnixMillis now) {
  TESSERA_ASSIGN_OR_RETURN(int64_t n,
                           WriteOne("UPDATE app_mail_domains SET verified_at = $3"
                                    " WHERE app_id = $1 AND domain = $2",
                                    {std::string(app_id), std::string(domain), now}));
  if (n == 0) return NotFoundError("mail domain");
  return OkStatus();
}

}  // namespace tessera::store::sql
