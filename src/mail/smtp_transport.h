// File: smtp_transport.h
// Sends mail over SMTP with libcurl: `smtp://host:port` (plain, or upgraded with STARTTLS as
// `starttls` says) or `smtps://host:port` (implicit TLS), optional AUTH. Certificates are
// verified against the system's CA store. Connect timeout 10 s, whole send 30 s.
//
//   auto smtp = mail::SmtpTransport::Create({"smtp://mail.example.com:587", "user", "secret",
//                                            mail::StartTls::kAlways});
//   Status s = (*smtp)->Send(mail, "Example <no-reply@example.com>");   // kUnavailable: retry
//
// Thread-safe: each Send uses its own connection.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>

#include "mail/mail_transport.h"

namespace tessera::mail {

enum class StartTls {
  kAuto,    // upgrade when the server offers it, else go on in plain text
  kAlways,  // upgrade or fail (CURLUSESSL_ALL)
  kNever,   // plain text (a local test server)
};

// "auto" | "always" | "never"; nullopt otherwise.
std::optional<StartTls> ParseStartTls(std::string_view text);

struct SmtpOptions {
  std::string url;  // smtp://host:port or smtps://host:port
  std::string username;
  std::string password;
  StartTls starttls = StartTls::kAuto;
  long connect_timeout_ms = 10'000;
  long timeout_ms = 30'000;
};

class SmtpTransport final : public MailTransport {
 public:
  // kInvalidArgument for a URL that is not smtp:// or smtps:// with a host.
  static Result<std::unique_ptr<SmtpTransport>> Create(SmtpOptions options);

  Status Send(const store::OutgoingMail& mail, std::string_view from) override;
  void Cancel() override { cancelled_ = true; }
  std::string_view Name() const override { return "smtp"; }

  // The URL with any user:password@ removed (for logs).
  const std::string& redacted_url() const { return redacted_url_; }

 private:
  explicit SmtpTransport(SmtpOptions options);

  SmtpOptions options_;
  std::string redacted_url_;
  std::atomic<bool> cancelled_{false};
};

}  // namespace tessera::mail
