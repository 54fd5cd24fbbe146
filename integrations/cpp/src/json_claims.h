// File: json_claims.h (internal)
// Reading members of a JWT's claims or an introspection answer (the same JSON vocabulary:
// RFC 7519 NumericDates, a space-separated scope, a roles array), one way for both.
#pragma once

#include <boost/json.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace tessera::resource_server::internal {

// The member as a string, or nullptr when it is missing or not a string.
inline const boost::json::string* StringMember(const boost::json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_string()) return nullptr;
  return &it->value().get_string();
}

// A NumericDate (RFC 7519 §2): a JSON number of seconds; fractions are cut. nullopt when the
// member is missing or not a number.
inline std::optional<std::int64_t> NumericDate(const boost::json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end()) return std::nullopt;
  const boost::json::value& v = it->value();
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64()) {
    if (v.get_uint64() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return std::numeric_limits<std::int64_t>::max();
    }
    return static_cast<std::int64_t>(v.get_uint64());
  }
  if (v.is_double() && std::isfinite(v.get_double()) && std::abs(v.get_double()) < 9e18) {
    return static_cast<std::int64_t>(v.get_double());
  }
  return std::nullopt;
}

// "openid  profile roles" → {openid, profile, roles}.
inline std::set<std::string> SplitScope(std::string_view s) {
  std::set<std::string> out;
  while (!s.empty()) {
    size_t sp = s.find(' ');
    std::string_view one = s.substr(0, sp);
    if (!one.empty()) out.emplace(one);
    if (sp == std::string_view::npos) break;
    s.remove_prefix(sp + 1);
  }
  return out;
}

// A JSON array of strings into `out`; false when it is anything else.
inline bool StringArray(const boost::json::value& v, std::set<std::string>* out) {
  if (!v.is_array()) return false;
  for (const auto& e : v.get_array()) {
    if (!e.is_string()) return false;
    out->emplace(e.get_string());
  }
  return true;
}

}  // namespace tessera::resource_server::internal
