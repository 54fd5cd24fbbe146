// File: email_token_store.h
// Persistence of email tokens (contracts: store/store.h).
#pragma once

#include <cstdint>
#include <string_view>

#include "base/result.h"
#include "email_flows/email_token_records.h"

namespace tessera::store {

// The unique key of email tokens (Status::ClashedOn).
enum class EmailTokenUniqueKey { kTokenHash };

class EmailTokenStore {
 public:
  virtual ~EmailTokenStore() = default;
  // Stores a token and voids (marks used) every older unused token of the same app, email
  // and purpose, atomically: a newer link voids the older ones.
  virtual Status CreateEmailToken(const EmailToken& token) = 0;
  // Marks a live token of the app and purpose used, atomically (of two concurrent calls one
  // gets kConsumed); otherwise says why it is not live.
  // With `max_attempts` > 0 (one-time codes), a token with that many wrong guesses is not
  // live either (kUsed) — checked in the same statement, so racing guesses cannot slip by.
  virtual Result<EmailTokenRedemption> ConsumeEmailToken(std::string_view app_id,
                                                         std::string_view token_hash,
                                                         EmailTokenPurpose purpose, UnixMillis now,
                                                         int64_t max_attempts = 0) = 0;
  // A token of the app and purpose in any state, without consuming it (to check what the
  // consumption depends on first); kNotFound otherwise.
  virtual Result<EmailToken> GetEmailToken(std::string_view app_id, std::string_view token_hash,
                                           EmailTokenPurpose purpose) = 0;
  // The newest live (unused, unexpired) token of (app, email, purpose); kNotFound otherwise.
  virtual Result<EmailToken> GetLiveEmailToken(std::string_view app_id, std::string_view email,
                                               EmailTokenPurpose purpose, UnixMillis now) = 0;
  // Counts one wrong guess against a one-time code; returns the new count.
  virtual Result<int64_t> AddEmailTokenAttempt(std::string_view token_hash) = 0;
  // Voids (marks used at `now`) every unused token of the user in the app, whatever its
  // purpose: links sent to an address the account no longer has. Returns how many.
  virtual Result<int64_t> VoidUserEmailTokens(std::string_view app_id, std::string_view user_id,
                                              UnixMillis now) = 0;
};

}  // namespace tessera::store
