// File: mail_transport.h
// How a queued mail leaves the building: SMTP (smtp_transport.h) or, for a local run without
// an SMTP server, a folder of .eml files (outbox_dir_transport.h). The worker (mail_worker.h)
// calls Send for each leased mail; src/mail is infrastructure like src/store: services may use
// it, it uses no service.
#pragma once

#include <string_view>

#include "base/result.h"
#include "mail/mail_records.h"

namespace tessera::mail {

class MailTransport {
 public:
  virtual ~MailTransport() = default;
  // Delivers `mail` with `from` ("Name <addr>" or "addr") as its sender. kUnavailable: a
  // retryable failure (server unreachable, timeout, 4xx); other codes: the server or the
  // message refused it (the worker retries those too, with the same backoff: mail is never
  // dropped). Called from one thread at a time per worker; implementations are thread-safe.
  virtual Status Send(const store::OutgoingMail& mail, std::string_view from) = 0;
  // Asks an in-flight Send to give up soon (shutdown); that mail stays queued. Sticky.
  virtual void Cancel() {}
  // "smtp" or "outbox_dir" (logs).
  virtual std::string_view Name() const = 0;
};

}  // namespace tessera::mail
