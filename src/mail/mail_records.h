// File: mail_records.h
// The outbox: mail queued in the database.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"

namespace tessera::store {

// A message in the outbox (mail_outbox): queued in the same database as everything else, so
// a restart loses nothing; a background worker leases, sends and marks it.
struct OutgoingMail {
  std::string id;
  std::string app_id;
  std::string to_address;
  std::string from_address;  // the app's sender, chosen when queued; "" = the configured default
  std::string reply_to;      // a bare address for Reply-To; "" = none
  std::string subject;
  std::string text_body;
  std::string html_body;  // may be empty
  // The template it came from ("verify_email", "password_reset", …), for logs and metrics
  // only: text, not an enum, so a mail queued by a node that knows a newer kind is still sent.
  std::string kind;
  int64_t attempts = 0;
  std::string last_error;
  UnixMillis created_at = 0;
  UnixMillis next_attempt_at = 0;
  std::optional<UnixMillis> sent_at;
};

}  // namespace tessera::store
