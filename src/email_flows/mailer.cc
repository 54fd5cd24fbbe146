#include "email_flows/mailer.h"

#include "base/log.h"
#include "crypto/random.h"
#include "mail/mail_worker.h"
#include "mail/mime_message.h"

namespace tessera::services {

Mailer::Mailer(store::MailStore& store, const Clock& clock, mail::MailWorker* worker_or_null,
               std::string default_from, std::string server_from)
    : store_(store), clock_(clock), worker_(worker_or_null), default_from_(std::move(default_from)),
      server_from_(std::move(server_from)) {}

std::string Mailer::SenderFor(const store::App& app) const {
  const store::AppSettings& settings = app.settings;
  std::string from = settings.mail_from;
  if (!from.empty() && !mail::ParseMailbox(from).ok()) {
    LogJson(spdlog::level::warn, "app_mail_from_invalid",
            {{"app", app.slug}, {"advice", "mail_from must be \"Name <addr>\" or addr"}});
    from.clear();
  }
  if (settings.mail_sender_name.empty()) return from.empty() ? default_from_ : from;
  // The app's name over its own address, or over the server's.
  std::string base = !from.empty() ? from : !default_from_.empty() ? default_from_ : server_from_;
  auto box = mail::ParseMailbox(base);
  if (!box.ok()) return from.empty() ? default_from_ : from;
  return "\"" + settings.mail_sender_name + "\" <" + box->address + ">";
}

Status Mailer::Send(const store::App& app, std::string_view kind, std::string_view to,
                    const MailContent& content) {
  if (Status s = mail::ParseMailbox(to).status(); !s.ok()) {
    return ValidationError({{"to", s.message()}});
  }
  if (!mail::CheckHeaderText("subject", content.subject).ok() || content.subject.empty()) {
    return ValidationError({{"subject", "must be one non-empty line"}});
  }
  const UnixMillis now = clock_.NowMillis();
  store::OutgoingMail mail;
  mail.id = crypto::NewUuid();
  mail.app_id = app.id;
  mail.to_address = std::string(to);
  mail.from_address = SenderFor(app);
  mail.subject = content.subject;
  mail.text_body = content.text;
  mail.html_body = content.html;
  mail.kind = std::string(kind);
  mail.created_at = now;
  mail.next_attempt_at = now;
  TESSERA_RETURN_IF_ERROR(store_.EnqueueMail(mail));
  if (worker_) worker_->Wake();
  return OkStatus();
}

}  // namespace tessera::services
