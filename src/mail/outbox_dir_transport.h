// File: outbox_dir_transport.h
// For a local run with no SMTP server configured: each mail is written to
// `<dir>/<created>-<id>.eml` (mode 0600, the full RFC 5322 message, which any mail client
// opens) and one JSON log line "mail_written_to_outbox" names the file, the recipient, the
// subject and the http(s) links of the text body, so a developer can click them (and a
// one-time code standing alone on a line of the text body). Only this
// transport ever logs links; nothing logs message bodies.
#pragma once

#include <string>
#include <vector>

#include "mail/mail_transport.h"

namespace tessera::mail {

class OutboxDirTransport final : public MailTransport {
 public:
  // `dir` is created (0700) on first use.
  explicit OutboxDirTransport(std::string dir) : dir_(std::move(dir)) {}

  Status Send(const store::OutgoingMail& mail, std::string_view from) override;
  std::string_view Name() const override { return "outbox_dir"; }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
};

// The http(s) URLs in a text, in order, without trailing punctuation.
std::vector<std::string> ExtractLinks(std::string_view text);
// The lines of a text that are only 4 to 10 digits (one-time codes), in order.
std::vector<std::string> ExtractCodes(std::string_view text);

}  // namespace tessera::mail
