// File: recovery_codes.h
// Recovery codes (NIST SP 800-63B §5.1.2, look-up secrets): ten codes of 79 random bits each,
// shown once as "xxxx-xxxx-xxxx-xxxx" (31 symbols, no look-alike letters), stored as SHA-256
// (a fast hash is right for 79-bit random secrets: there is nothing to guess offline).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tessera::services {

inline constexpr int kRecoveryCodeCount = 10;

// Fresh codes, as shown to the user.
std::vector<std::string> NewRecoveryCodes();
// The code as typed, in the form it was hashed: lower case, no dashes or spaces; nullopt when
// it cannot be a recovery code (wrong length or letters), so no lookup is made for it.
std::optional<std::string> NormalizeRecoveryCode(std::string_view typed);
// The stored hash of a normalised code.
std::string RecoveryCodeHash(std::string_view normalized);

}  // namespace tessera::services
