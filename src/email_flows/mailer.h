// File: mailer.h
// The enqueue side of mail, for the flows (verification, reset, magic link, codes, email
// change): Send stores the message in the outbox (store::MailStore) — in the same database
// as everything else, so a restart loses nothing — and wakes the background worker
// (mail/mail_worker.h), which sends it with retries. Send never talks to an SMTP server, so
// it never blocks a request on one.
//
//   auto content = RenderMail("verify_email", vars, texts);       // services/mail_templates.h
//   if (!content.ok()) return content.status();
//   TESSERA_RETURN_IF_ERROR(mailer.Send(app, "verify_email", user.email, *content));
//
// The sender (issue 11, item 8; the rules: tenancy/mail_sender.h): the app's mail_from only
// when its domain is allowed (operator's list or verified by DNS: MailDomainService);
// otherwise the server's address with the app's (sanitised) display name and Reply-To the
// app's address. No name of the app's: `default_from`, where an empty default leaves the
// choice to the worker that sends it (its --mail-from), which is how TesseraApp builds it.
#pragma once

#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/result.h"
#include "mail/mail_store.h"
#include "tenancy/mail_domain_service.h"
#include "tenancy/mail_sender.h"
#include "tenancy/tenancy_records.h"

namespace tessera::mail {
class MailWorker;
}

namespace tessera::services {

struct MailContent {
  std::string subject;  // one line
  std::string text;     // plain-text part (required)
  std::string html;     // HTML part; may be empty (the mail is then text only)
};

class Mailer {
 public:
  // `server_from` is the server's --mail-from: its address carries an app's sender name
  // when the app may not use an address of its own. `domains` null: no app domain is
  // allowed (every mail goes out from the server's address).
  Mailer(store::MailStore& store, const Clock& clock, mail::MailWorker* worker_or_null,
         std::string default_from, std::string server_from = "",
         MailDomainService* domains = nullptr);

  // Queues one mail of `kind` (a template kind, for logs and metrics) to `to`.
  // kInvalidArgument (field "to" or "subject") for an address that is not local@domain or a
  // subject with a line break (header injection); store failures as they come.
  Status Send(const store::App& app, std::string_view kind, std::string_view to,
              const MailContent& content);

  // From ("" = the worker's default) and Reply-To ("" = none) of the app's mail.
  MailSender SenderOf(const store::App& app) const;
  // Its From alone.
  std::string SenderFor(const store::App& app) const { return SenderOf(app).from; }

 private:
  store::MailStore& store_;
  const Clock& clock_;
  mail::MailWorker* worker_;
  std::string default_from_;
  std::string server_from_;
  MailDomainService* domains_;  // may be null
};

}  // namespace tessera::services
