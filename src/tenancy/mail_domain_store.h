// File: mail_domain_store.h
// Sender domains an app has claimed for its mail_from, and whether DNS proved the claim
// (contracts: store/store.h). tenancy/mail_domain_service.h is the one user.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/result.h"

namespace tessera::store {

// An app's claim on a domain: the random token its DNS must publish, and when a lookup found
// it (nullopt: not yet).
struct MailDomain {
  std::string app_id;
  std::string domain;  // lower-case
  std::string token;
  UnixMillis created_at = 0;
  std::optional<UnixMillis> verified_at;
};

// The unique key of claims (Status::ClashedOn): one per (app, domain).
enum class MailDomainUniqueKey { kAppDomain };

class MailDomainStore {
 public:
  virtual ~MailDomainStore() = default;
  // kAlreadyExists (kAppDomain) when the app has a claim on the domain already.
  virtual Status CreateMailDomain(const MailDomain& claim) = 0;
  // The app's claim on `domain`; kNotFound when it has none (another app's is not found).
  virtual Result<MailDomain> GetMailDomain(std::string_view app_id, std::string_view domain) = 0;
  // Marks the claim verified at `now` (again: the newer time); kNotFound without a claim.
  virtual Status MarkMailDomainVerified(std::string_view app_id, std::string_view domain,
                                        UnixMillis now) = 0;
};

}  // namespace tessera::store
