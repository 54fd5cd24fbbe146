// File: mail_sender.h
// Who an app's mail is from (issue 11, item 8) — the pure rules; MailDomainService (beside)
// answers whether the app may use its domain, the Mailer (email_flows/mailer.h) applies them.
//
// An app's mail goes out From (header and SMTP envelope) its own mail_from address only when
// that address's domain is allowed: listed by the operator (--mail-allowed-domains) or
// verified through DNS (a TXT record "tessera-verification=<token>" at _tessera.<domain>).
// Otherwise it goes out from the server's sender address, with the app's display name and
// Reply-To set to the app's address, so replies still reach the developer but nobody can
// pose as service@paypal.com. The display name is sanitised either way (SafeDisplayName):
// nothing in it reads as an address.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tenancy/app_settings.h"

namespace tessera::services {

inline constexpr std::string_view kMailVerificationLabel = "_tessera";
inline constexpr std::string_view kMailVerificationPrefix = "tessera-verification=";

// "_tessera.<domain>": where the app's DNS publishes the proof.
std::string VerificationRecordName(std::string_view domain);
// "tessera-verification=<token>": the TXT value it publishes.
std::string VerificationRecordValue(std::string_view token);
// Whether one of the TXT records (each already joined from its strings) is exactly the value
// for `token` (surrounding spaces aside, the prefix in any case). Other records are ignored.
bool TxtProvesToken(const std::vector<std::string>& records, std::string_view token);

// The domain of an address, lower-case ("" for no '@').
std::string DomainOfAddress(std::string_view address);
// Whether `domain` is one of `allowed` (compared case-insensitively, exactly: a subdomain is
// another domain).
bool DomainListed(const std::vector<std::string>& allowed, std::string_view domain);

// A display name fit to stand before the server's address: no word that looks like an
// address (contains '@'), no angle brackets, quotes, backslashes or control characters,
// spaces collapsed, at most 100 bytes (whole UTF-8 sequences). May come out empty.
std::string SafeDisplayName(std::string_view name);

// The app's sender as its settings ask: mail_from's address (nullopt when unset or invalid)
// and the display name (mail_sender_name, else mail_from's own name).
struct RequestedSender {
  std::optional<std::string> address;
  std::string display_name;
};
RequestedSender RequestedSenderOf(const store::AppSettings& settings);

// What a mail carries: From ("" = the worker's default sender) and Reply-To ("" = none).
struct MailSender {
  std::string from;
  std::string reply_to;
};

// The decision. `server_from` is the server's sender ("Name <addr>", "" = unknown here: the
// worker's default then stands, without the app's name); `domain_allowed` whether the app's
// requested address's domain is allowed (see above).
MailSender ChooseSender(const RequestedSender& wanted, std::string_view server_from,
                        bool domain_allowed);

}  // namespace tessera::services
