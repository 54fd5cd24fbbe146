#include "base/auth_scheme.h"

namespace tessera {

std::optional<std::string_view> AuthCredentials(std::string_view header, std::string_view scheme) {
  if (header.size() <= scheme.size() || header[scheme.size()] != ' ') return std::nullopt;
  for (size_t i = 0; i < scheme.size(); ++i) {
    char c = header[i];
    if ((c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c) != scheme[i]) return std::nullopt;
  }
  std::string_view credentials = header.substr(scheme.size());
  while (!credentials.empty() && credentials.front() == ' ') credentials.remove_prefix(1);
  if (credentials.empty()) return std::nullopt;
  return credentials;
}

}  // namespace tessera
