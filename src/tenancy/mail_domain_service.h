// File: mail_domain_service.h
// Whether an app may send From its own domain (issue 11, item 8; the rules: mail_sender.h):
// the operator's list (--mail-allowed-domains), or a claim the app proved by DNS. A
// developer asks for the claim's TXT record (Standing), publishes it, then asks for the
// check (Verify), which queries the system resolver — blocking up to the timeout, so it runs
// on a worker thread, never a network thread.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "tenancy/mail_domain_store.h"
#include "tenancy/mail_sender.h"
#include "tenancy/tenancy_records.h"

namespace tessera::services {

// The TXT records of a name (mail::LookupTxt in production; a table in tests).
using TxtLookup = std::function<Result<std::vector<std::string>>(std::string_view name)>;

struct MailDomainOptions {
  std::vector<std::string> allowed_domains;  // the operator's list
  std::chrono::milliseconds dns_timeout{3000};
};

// Where an app's mail_from domain stands.
struct MailDomainStanding {
  std::string domain;              // of mail_from's address, lower-case
  bool allowed_by_operator = false;
  bool verified = false;           // by DNS
  std::string record_name;         // "_tessera.<domain>"
  std::string record_value;        // "tessera-verification=<token>"
  bool may_send_from() const { return allowed_by_operator || verified; }
};

class MailDomainService {
 public:
  // `lookup` empty: the system resolver with options.dns_timeout.
  MailDomainService(store::MailDomainStore& store, const Clock& clock, MailDomainOptions options,
                    TxtLookup lookup = {});

  // The standing of the app's mail_from domain; the claim (its random token) is made the
  // first time. nullopt when the app sets no (valid) mail_from.
  Result<std::optional<MailDomainStanding>> Standing(const store::App& app);
  // Looks the TXT record up and records a match. The standing after the check; kNotFound
  // when the app sets no mail_from. A missing record or a resolver failure is not an error:
  // the standing stays unverified (the reason goes to the log).
  Result<MailDomainStanding> Verify(const store::App& app);
  // For the Mailer: may the app's mail go out From `domain`? (No DNS: the recorded verdict.)
  bool MaySendFrom(const store::App& app, std::string_view domain);

 private:
  Result<store::MailDomain> Claim(const store::App& app, const std::string& domain);
  MailDomainStanding StandingOf(const store::MailDomain& claim) const;

  store::MailDomainStore& store_;
  const Clock& clock_;
  MailDomainOptions options_;
  TxtLookup lookup_;
};

}  // namespace tessera::services
