// File: password_policy.h
// Password rules after NIST SP 800-63B §5.1.1.2: a minimum length (8 by default), a generous
// maximum, no composition rules, and a check against commonly used passwords and the
// account's own identifiers. Lengths count Unicode code points, not bytes.
#pragma once

#include "base/utf8.h"

#include <optional>
#include <string>
#include <string_view>

namespace tessera::services {

struct PasswordPolicy {
  size_t min_length = 8;
  size_t max_length = 256;  // NIST: allow at least 64
};

// Returns why the password is refused, or nullopt when it is acceptable.
std::optional<std::string> CheckPassword(std::string_view password, const PasswordPolicy& policy,
                                         std::string_view email, std::string_view username);

using ::tessera::Utf8Length;  // base/utf8.h

bool IsCommonPassword(std::string_view password);

}  // namespace tessera::services
