#include "accounts/password_policy.h"

#include <algorithm>
#include <cctype>

namespace tessera::services {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

std::optional<std::string> CheckPassword(std::string_view password, const PasswordPolicy& policy,
                                         std::string_view email, std::string_view username) {
  auto length = Utf8Length(password);
  if (!length) return "must be valid UTF-8";
  if (*length < policy.min_length) {
    return "must be at least " + std::to_string(policy.min_length) + " characters";
  }
  if (*length > policy.max_length) {
    return "must be at most " + std::to_string(policy.max_length) + " characters";
  }
  std::string lower = Lower(password);
  if (IsCommonPassword(lower)) return "is too common; choose a less predictable password";
  if (!email.empty() && (lower == Lower(email) || lower == Lower(email.substr(0, email.find('@'))))) {
    return "must not be your email address";
  }
  if (!username.empty() && lower == Lower(username)) return "must not be your username";
  if (std::all_of(password.begin(), password.end(), [&](char c) { return c == password[0]; })) {
    return "must not be one repeated character";
  }
  return std::nullopt;
}

}  // namespace tessera::services
