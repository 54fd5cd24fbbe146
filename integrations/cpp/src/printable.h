// File: printable.h (internal)
// Token contents quoted in an error reason (which ends up in logs and responses): printable
// ASCII only, and not too long.
#pragma once

#include <string>
#include <string_view>

namespace tessera::resource_server::internal {

inline std::string Printable(std::string_view s, std::size_t max = 100) {
  std::string out;
  for (char c : s) {
    if (out.size() >= max) {
      out += "...";
      break;
    }
    unsigned char u = static_cast<unsigned char>(c);
    out.push_back(u >= 0x20 && u < 0x7F ? c : '?');
  }
  return out;
}

}  // namespace tessera::resource_server::internal
