// File: email_token_records.h
// Single-use secrets sent by mail: links and one-time codes.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/enum_text.h"

namespace tessera::store {

// What an email token proves when it comes back; a token is found only for its purpose.
enum class EmailTokenPurpose {
  kVerifyEmail,    // link: the address is the user's
  kPasswordReset,  // link: may set a new password
  kMagicLink,      // link: signs in (or up)
  kEmailCode,      // one-time code: signs in
  kChangeEmail,    // link to the new address: confirms the change
};
inline constexpr EnumText<EmailTokenPurpose> kEmailTokenPurposeTexts[] = {
    {EmailTokenPurpose::kVerifyEmail, "verify_email"},
    {EmailTokenPurpose::kPasswordReset, "password_reset"},
    {EmailTokenPurpose::kMagicLink, "magic_link"},
    {EmailTokenPurpose::kEmailCode, "email_code"},
    {EmailTokenPurpose::kChangeEmail, "change_email"},
};
constexpr std::span<const EnumText<EmailTokenPurpose>> TextsOf(EmailTokenPurpose) {
  return kEmailTokenPurposeTexts;
}

// A single-use secret sent by mail (link token or one-time code), stored only as a hash.
// Link tokens: token_hash = SHA-256 of the 256-bit token. One-time codes: token_hash =
// SHA-256(salt + code) with a random per-row salt; they are found by (app, email, purpose).
struct EmailToken {
  std::string token_hash;
  std::string app_id;
  std::optional<std::string> user_id;  // empty for a magic link that may create the user
  std::string email;                   // where it was sent (normalized)
  EmailTokenPurpose purpose = EmailTokenPurpose::kVerifyEmail;
  std::string new_email;               // change_email: the address being confirmed
  std::string redirect_uri;            // magic links from the API: where to go after
  std::string salt;                    // one-time codes only
  int64_t attempts = 0;                // one-time codes: wrong guesses so far
  UnixMillis created_at = 0;
  UnixMillis expires_at = 0;
  std::optional<UnixMillis> used_at;
};

enum class EmailTokenOutcome {
  kConsumed,  // live: now marked used
  kUsed,      // used (or voided by a newer token) before
  kExpired,
  kInvalid,   // unknown, another app's, or another purpose
};

struct EmailTokenRedemption {
  EmailTokenOutcome outcome = EmailTokenOutcome::kInvalid;
  std::optional<EmailToken> token;  // set unless kInvalid
};

}  // namespace tessera::store
