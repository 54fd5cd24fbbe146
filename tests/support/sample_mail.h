// A well-formed queued mail and a fixed instant, shared by the mail and outbox tests.
#pragma once

#include "base/clock.h"
#include "mail/mail_records.h"

namespace tessera::testing_support {

inline constexpr UnixMillis kMailT0 = 1'750'000'000'000;  // Sun, 15 Jun 2025 15:06:40 UTC

inline store::OutgoingMail SampleMail() {
  store::OutgoingMail m;
  m.id = "0197a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";
  m.app_id = "app-1";
  m.to_address = "ann@example.com";
  m.subject = "Confirm your email address";
  m.text_body = "Hello Ann,\nopen https://id.example.com/apps/a/verify?token=abc\n";
  m.html_body = "<p>Hello <a href=\"https://id.example.com/apps/a/verify?token=abc\">Ann</a></p>";
  m.kind = "verify_email";
  m.created_at = kMailT0;
  m.next_attempt_at = kMailT0;
  return m;
}

}  // namespace tessera::testing_support
