#include "mail/mail_worker.h"

#include "base/log.h"

namespace tessera::mail {

MailWorker::MailWorker(store::MailStore& store, MailTransport& transport, const Clock& clock,
                       Metrics& metrics, MailWorkerOptions options)
    : store_(store),
      transport_(transport),
      clock_(clock),
      metrics_(metrics),
      options_(std::move(options)) {}

MailWorker::~MailWorker() { Stop(); }

void MailWorker::Start() {
  if (thread_.joinable()) return;
  thread_ = std::jthread([this](std::stop_token st) { Loop(st); });
}

void MailWorker::Stop() {
  if (!thread_.joinable()) return;
  stopping_ = true;
  thread_.request_stop();  // wakes the wait below (condition_variable_any + stop_token)
  transport_.Cancel();
  thread_.join();
}

void MailWorker::Wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  cv_.notify_one();
}

void MailWorker::Deliver(const store::OutgoingMail& mail) {
  const std::string& from = mail.from_address.empty() ? options_.default_from : mail.from_address;
  Status sent = transport_.Send(mail, from);
  if (sent.ok()) {
    metrics_.mails_sent.Inc();
    Status marked = store_.MarkMailSent(mail.id, clock_.NowMillis());
    LogJson(spdlog::level::info, "mail_sent",
            {{"id", mail.id}, {"kind", mail.kind}, {"app", mail.app_id},
             {"attempts", mail.attempts}, {"transport", transport_.Name()}});
    if (!marked.ok()) {
      // Sent but not marked: it will be sent again when its lease ends.
      LogJson(spdlog::level::err, "mail_mark_sent_failed",
              {{"id", mail.id}, {"error", marked.ToString()}});
    }
    return;
  }
  metrics_.mail_send_failures.Inc();
  const int64_t delay =
      RetryDelayMs(mail.attempts, options_.backoff_base_ms, options_.backoff_max_ms);
  const UnixMillis retry_at = clock_.NowMillis() + delay;
  Status marked = store_.MarkMailFailed(mail.id, sent.message(), retry_at);
  LogJson(spdlog::level::warn, "mail_send_failed",
          {{"id", mail.id}, {"kind", mail.kind}, {"app", mail.app_id},
           {"attempts", mail.attempts}, {"error", sent.message()},
           {"retry_in_s", delay / 1000}, {"transport", transport_.Name()}});
  if (!marked.ok()) {
    // Still leased: it comes due again when the lease ends.
    LogJson(spdlog::level::err, "mail_mark_failed_failed",
            {{"id", mail.id}, {"error", marked.ToString()}});
  }
}

Result<int> MailWorker::RunOnce() {
  TESSERA_ASSIGN_OR_RETURN(
      std::vector<store::OutgoingMail> due,
      store_.LeaseDueMail(clock_.NowMillis(), options_.batch, options_.lease_ms));
  int tried = 0;
  for (const auto& mail : due) {
    if (stopping_) {
      // Shutting down: hand the rest back now rather than at the end of the lease.
      (void)store_.MarkMailFailed(mail.id, "not attempted: shutting down", clock_.NowMillis());
      continue;
    }
    Deliver(mail);
    ++tried;
  }
  auto unsent = store_.CountUnsentMail();
  if (unsent.ok()) metrics_.mail_outbox_unsent.Set(*unsent);
  return tried;
}

void MailWorker::Loop(std::stop_token stop) {
  LogJson(spdlog::level::info, "mail_worker_started", {{"transport", transport_.Name()}});
  while (!stop.stop_requested()) {
    Result<int> tried = RunOnce();
    if (!tried.ok()) {
      LogJson(spdlog::level::warn, "mail_lease_failed", {{"error", tried.status().ToString()}});
    }
    // A full batch: there may be more due right now.
    if (tried.ok() && *tried >= options_.batch) continue;
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, stop, options_.poll, [this] { return woken_; });
    woken_ = false;
  }
}

}  // namespace tessera::mail
