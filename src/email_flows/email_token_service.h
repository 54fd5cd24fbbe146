// File: email_token_service.h
// The secrets the email flows send: link tokens ("tet_" + 256 random bits, stored as
// SHA-256) and 6-digit one-time codes (stored as SHA-256 of a random salt and the code,
// with a bounded number of guesses). Every one is single use and expires; issuing one voids
// the older ones of the same address and purpose (the store does it atomically).
#pragma once

#include <optional>
#include <string>

#include "base/clock.h"
#include "base/result.h"
#include "email_flows/email_token_records.h"
#include "email_flows/email_token_store.h"
#include "tenancy/tenancy_records.h"

namespace tessera::services {

inline constexpr std::string_view kEmailTokenPrefix = "tet_";

struct IssuedToken {
  std::string secret;  // the link token or the code: goes into the mail, never stored
  store::EmailToken record;
};

class EmailTokenService {
 public:
  EmailTokenService(store::EmailTokenStore& store, const Clock& clock, int max_code_attempts = 5)
      : store_(store), clock_(clock), max_code_attempts_(max_code_attempts) {}

  Result<IssuedToken> IssueLink(const store::App& app, std::optional<std::string> user_id,
                                std::string email, store::EmailTokenPurpose purpose, int64_t ttl_s,
                                std::string new_email = "", std::string redirect_uri = "");
  // The token's record in any state, without consuming it; kNotFound when it is not ours.
  Result<store::EmailToken> PeekLink(const store::App& app, std::string_view token,
                                     store::EmailTokenPurpose purpose);
  Result<store::EmailTokenRedemption> RedeemLink(const store::App& app, std::string_view token,
                                                 store::EmailTokenPurpose purpose);

  Result<IssuedToken> IssueCode(const store::App& app, std::optional<std::string> user_id,
                                std::string email, store::EmailTokenPurpose purpose, int64_t ttl_s);
  // kConsumed for the right code; kInvalid for a wrong one (counted); kUsed once the
  // guesses are spent (the code is then void) or there is no live code.
  Result<store::EmailTokenRedemption> RedeemCode(const store::App& app, std::string_view email,
                                                 store::EmailTokenPurpose purpose,
                                                 std::string_view code);

 private:
  store::EmailTokenStore& store_;
  const Clock& clock_;
  int max_code_attempts_;
};

}  // namespace tessera::services
