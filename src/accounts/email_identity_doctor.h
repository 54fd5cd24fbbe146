// File: email_identity_doctor.h
// Brings stored email keys to the current identity rule (identity_rules.h: IDNA A-label
// domains, NFC lower-cased local parts). Rows written under the old rule (ASCII lower-casing
// only) may now share one key, e.g. "ana@bücher.de" and "ana@xn--bcher-kva.de": those are
// reported and left as they are, never merged — which account is the person's is an
// operator's decision. Every other row whose key changed gets the new key. Run by
// `tessera migrate` (apply) and `tessera doctor emails` (report; --apply to write).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "accounts/user_store.h"
#include "base/result.h"
#include "tenancy/tenancy_store.h"

namespace tessera::services {

// Accounts of one app whose addresses now have one key.
struct EmailCollision {
  std::string app_slug;
  std::string key;                  // the normalised address they share
  std::vector<std::string> user_ids;
  std::vector<std::string> emails;  // as stored, in the order of user_ids
};

struct EmailIdentityReport {
  int64_t checked = 0;     // users looked at
  int64_t outdated = 0;    // users whose stored key is not the current one (colliding or not)
  int64_t normalized = 0;  // of those, given the new key (apply only)
  std::vector<EmailCollision> collisions;
};

class EmailIdentityDoctor {
 public:
  EmailIdentityDoctor(store::AppStore& apps, store::UserStore& users) : apps_(apps), users_(users) {}

  // Looks at every user of every app; with `apply`, writes the new key of each outdated user
  // that collides with no one.
  Result<EmailIdentityReport> Run(bool apply);

 private:
  Status RunApp(const store::App& app, bool apply, EmailIdentityReport& report);

  store::AppStore& apps_;
  store::UserStore& users_;
};

}  // namespace tessera::services
