#include "accounts/identity_rules.h"

#include <algorithm>

namespace tessera::services {
namespace {

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool IsSpaceOrControl(unsigned char c) { return c <= 0x20 || c == 0x7f; }

}  // namespace

std::optional<std::string> ValidEmail(std::string_view input) {
  while (!input.empty() && std::isspace(static_cast<unsigned char>(input.front()))) input.remove_prefix(1);
  while (!input.empty() && std::isspace(static_cast<unsigned char>(input.back()))) input.remove_suffix(1);
  if (input.size() > 254) return std::nullopt;
  size_t at = input.find('@');
  if (at == std::string_view::npos || at == 0 || at > 64 ||
      input.find('@', at + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  std::string_view domain = input.substr(at + 1);
  size_t dot = domain.find('.');
  if (domain.empty() || dot == 0 || dot == std::string_view::npos || domain.back() == '.' ||
      domain.find("..") != std::string_view::npos) {
    return std::nullopt;
  }
  if (std::any_of(input.begin(), input.end(),
                  [](char c) { return IsSpaceOrControl(static_cast<unsigned char>(c)); }) ||
      input.find_first_of("<>()[],;:\\\"") != std::string_view::npos) {
    return std::nullopt;
  }
  return std::string(input);
}

std::string NormalizeEmail(std::string_view email) { return AsciiLower(email); }

std::optional<std::string> CheckUsername(std::string_view username) {
  if (username.size() < 3 || username.size() > 64) return "must be 3-64 characters";
  std::string lower = AsciiLower(username);
  if (!std::isalnum(static_cast<unsigned char>(lower.front()))) {
    return "must start with a letter or digit";
  }
  bool ok = std::all_of(lower.begin(), lower.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  });
  if (!ok) return "may contain only letters, digits, '.', '_' and '-'";
  return std::nullopt;
}

std::string NormalizeUsername(std::string_view username) { return AsciiLower(username); }

}  // namespace tessera::services
