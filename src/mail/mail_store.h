// File: mail_store.h
// Persistence of the mail outbox (contracts: store/store.h).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "mail/mail_records.h"

namespace tessera::store {

// The unique key of the outbox (Status::ClashedOn).
enum class MailUniqueKey { kId };

class MailStore {
 public:
  virtual ~MailStore() = default;
  virtual Status EnqueueMail(const OutgoingMail& mail) = 0;
  // Leases up to `limit` unsent mails due at `now` (next_attempt_at <= now), oldest first:
  // each gets attempts + 1 and next_attempt_at = now + lease_ms, so neither another worker
  // nor another node takes it while it is being sent, and a sender that dies mid-way only
  // delays it. Two concurrent calls never return the same mail.
  virtual Result<std::vector<OutgoingMail>> LeaseDueMail(UnixMillis now, int limit,
                                                         int64_t lease_ms) = 0;
  virtual Status MarkMailSent(std::string_view mail_id, UnixMillis now) = 0;
  // Keeps it queued for another attempt at `retry_at` (mail is never dropped).
  virtual Status MarkMailFailed(std::string_view mail_id, std::string_view error,
                                UnixMillis retry_at) = 0;
  // Unsent mails (a gauge for metrics and tests).
  virtual Result<int64_t> CountUnsentMail() = 0;
};

}  // namespace tessera::store
