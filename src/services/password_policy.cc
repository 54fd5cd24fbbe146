#include "services/password_policy.h"

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

std::optional<size_t> Utf8Length(std::string_view text) {
  size_t count = 0;
  for (size_t i = 0; i < text.size();) {
    auto c = static_cast<unsigned char>(text[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    if (len == 0 || i + len > text.size()) return std::nullopt;
    for (size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xc0) != 0x80) return std::nullopt;
    }
    i += len;
    ++count;
  }
  return count;
}

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
