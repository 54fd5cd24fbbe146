#include "email_flows/mailer.h"

#include "base/log.h"
#include "crypto/random.h"
#include "mail/mail_worker.h"
#include "mail/mime_message.h"

namespace tessera::services {

Mailer::Mailer(store::MailStore& store, const Clock& clock, mail::MailWorker* worker_or_null,
               std::string default_from, std::string server_from, MailDomainService* domains)
    : store_(store), clock_(clock), worker_(worker_or_null), default_from_(std::move(default_from)),
      server_from_(std::move(server_from)), domains_(domains) {}

MailSender Mailer::SenderOf(const store::App& app) const {
  const store::AppSettings& settings = app.settings;
  if (!settings.mail_from.empty() && !mail::ParseMailbox(settings.mail_from).ok()) {
    LogJson(spdlog::level::warn, "app_mail_from_invalid",
            {{"app", app.slug}, {"advice", "mail_from must be \"Name <addr>\" or addr"}});
  }
  RequestedSender wanted = RequestedSenderOf(settings);
  bool allowed = wanted.address && domains_ &&
                 domains_->MaySendFrom(app, DomainOfAddress(*wanted.address));
  MailSender sender =
      ChooseSender(wanted, !default_from_.empty() ? default_from_ : server_from_, allowed);
  if (sender.from.empty()) sender.from = default_from_;
  return sender;
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
  MailSender sender = SenderOf(app);
  mail.from_address = std::move(sender.from);
  mail.reply_to = std::move(sender.reply_to);
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
