// File: mail_worker.h
// The background sender of the outbox (store::MailStore). One thread per process:
//   loop: lease up to 16 due mails (lease 60 s) → send each through the transport →
//         MarkMailSent, or MarkMailFailed with retry in min(30 s · 2^(attempts-1), 1 h)
//         (never dropped) → sleep until Wake() or 2 s (mail queued by another node or by the
//         CLI is picked up too).
// A process that dies mid-send leaves its leased mails to come due again when the lease
// ends, so delivery is at least once; the Message-ID (mime_message.h) stays the same across
// attempts. Logs "mail_sent" / "mail_send_failed" with id, kind, app, attempts and error —
// never a body or a link.
//
//   MailWorker worker(store, transport, clock, metrics, {.default_from = "Tessera <no-reply@…>"});
//   worker.Start();   … mailer.Send(…) calls worker.Wake() …   worker.Stop();
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "base/clock.h"
#include "base/metrics.h"
#include "base/result.h"
#include "base/retry_delay.h"
#include "mail/mail_transport.h"
#include "mail/mail_records.h"
#include "mail/mail_store.h"

namespace tessera::mail {

struct MailWorkerOptions {
  std::string default_from = "Tessera <no-reply@localhost>";  // for mail queued without one
  int batch = 16;
  int64_t lease_ms = 60'000;
  std::chrono::milliseconds poll{2000};
  int64_t backoff_base_ms = 30'000;
  int64_t backoff_max_ms = 3'600'000;
};

class MailWorker {
 public:
  MailWorker(store::MailStore& store, MailTransport& transport, const Clock& clock,
             Metrics& metrics, MailWorkerOptions options);
  ~MailWorker();  // Stop()
  MailWorker(const MailWorker&) = delete;
  MailWorker& operator=(const MailWorker&) = delete;

  // Starts the thread (once).
  void Start();
  // Stops the thread: an in-flight send is cancelled (it stays queued), mails leased but not
  // yet tried are released at once. Idempotent.
  void Stop();
  // Something was queued: look now instead of at the next poll. Cheap; any thread; fine
  // when the worker is not running (the CLI).
  void Wake();

  // One pass without the thread: leases what is due at the clock's now and sends it.
  // Returns how many mails it tried (sent or failed). For tests and the thread's loop.
  Result<int> RunOnce();

 private:
  void Loop(std::stop_token stop);
  void Deliver(const store::OutgoingMail& mail);

  store::MailStore& store_;
  MailTransport& transport_;
  const Clock& clock_;
  Metrics& metrics_;
  const MailWorkerOptions options_;

  std::mutex mu_;
  std::condition_variable_any cv_;
  bool woken_ = false;  // GUARDED_BY(mu_)
  std::atomic<bool> stopping_{false};
  std::jthread thread_;
};

}  // namespace tessera::mail
