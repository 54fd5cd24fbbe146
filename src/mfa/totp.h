// File: totp.h
// Time-based one-time passwords (RFC 6238) as authenticator apps compute them: HMAC-SHA-1
// (HOTP, RFC 4226, through liboath), 6 digits, 30-second steps. Shared secrets are 160 random
// bits (RFC 4226 §4 R6), shown to the user once, base32, inside an otpauth:// URI.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"

namespace tessera::services {

inline constexpr int kTotpDigits = 6;
inline constexpr int64_t kTotpStepSeconds = 30;
inline constexpr size_t kTotpSecretBytes = 20;  // 160 bits

// A fresh random secret (raw bytes).
std::string NewTotpSecret();
// Base32 (RFC 4648, no padding), as authenticator apps take it.
std::string TotpSecretBase32(std::string_view secret);
// The time step a moment falls in.
int64_t TotpStepAt(UnixMillis now);
// The code of one step, `digits` long (6 for users; 8 for the RFC's test vectors).
std::string TotpCode(std::string_view secret, int64_t step, int digits = kTotpDigits);

// The step whose code `code` is, among the step of `now` and one step either side (clocks
// drift), and only a step after `last_used_step` (a code is accepted once). The comparison
// takes the same time whatever digit differs. nullopt when none matches or `code` is no
// 6-digit string (spaces inside are ignored, as users copy "123 456").
std::optional<int64_t> MatchTotp(std::string_view secret, std::string_view code, UnixMillis now,
                                 int64_t last_used_step);

// otpauth://totp/Issuer:account?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30
std::string OtpauthUri(std::string_view issuer, std::string_view account,
                       std::string_view secret);

}  // namespace tessera::services
