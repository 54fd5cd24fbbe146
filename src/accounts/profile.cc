#include "accounts/profile.h"

#include <boost/json.hpp>

#include "accounts/password_policy.h"
#include "base/time_zone.h"

namespace tessera::services {
namespace json = boost::json;
namespace {

enum class Kind { kText, kUrl, kPhone, kDate, kZone, kLongText };

struct FieldRule {
  std::string_view name;
  Kind kind;
  size_t max_chars;
};

constexpr FieldRule kFields[] = {
    {"name", Kind::kText, 200},       {"given_name", Kind::kText, 200},
    {"family_name", Kind::kText, 200}, {"middle_name", Kind::kText, 200},
    {"nickname", Kind::kText, 200},   {"picture", Kind::kUrl, 2048},
    {"website", Kind::kUrl, 2048},    {"gender", Kind::kText, 64},
    {"birthdate", Kind::kDate, 10},   {"zoneinfo", Kind::kZone, 64},
    {"locale", Kind::kText, 35},      {"phone_number", Kind::kPhone, 32},
    {"about", Kind::kLongText, 2000},
};

constexpr std::string_view kAddressFields[] = {"formatted", "street_address", "locality",
                                               "region",    "postal_code",    "country"};

bool HasControlChars(std::string_view s, bool allow_newlines) {
  return std::any_of(s.begin(), s.end(), [&](char c) {
    auto u = static_cast<unsigned char>(c);
    if (allow_newlines && (c == '\n' || c == '\r' || c == '\t')) return false;
    return u < 0x20 || u == 0x7f;
  });
}

// OIDC birthdate: YYYY-MM-DD, or YYYY alone, or 0000-MM-DD when the year is withheld.
bool IsBirthdate(std::string_view s) {
  auto digits = [](std::string_view d) {
    return std::all_of(d.begin(), d.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (s.size() == 4) return digits(s);
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  if (!digits(s.substr(0, 4)) || !digits(s.substr(5, 2)) || !digits(s.substr(8, 2))) return false;
  int month = std::stoi(std::string(s.substr(5, 2))), day = std::stoi(std::string(s.substr(8, 2)));
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

std::optional<std::string> CheckValue(const FieldRule& rule, std::string_view v) {
  auto chars = Utf8Length(v);
  if (!chars) return "must be valid UTF-8";
  if (*chars > rule.max_chars) return "must be at most " + std::to_string(rule.max_chars) + " characters";
  if (HasControlChars(v, rule.kind == Kind::kLongText)) return "must not contain control characters";
  switch (rule.kind) {
    case Kind::kUrl:
      if (v.rfind("https://", 0) != 0 && v.rfind("http://", 0) != 0) return "must be an http(s) URL";
      if (v.find_first_of(" <>\"") != std::string_view::npos) return "must be an http(s) URL";
      break;
    case Kind::kPhone:
      if (v.find_first_not_of("+0123456789 -().") != std::string_view::npos) {
        return "must be a phone number (digits, spaces, + - ( ) .)";
      }
      break;
    case Kind::kDate:
      if (!IsBirthdate(v)) return "must be YYYY-MM-DD, YYYY or 0000-MM-DD";
      break;
    case Kind::kZone:
      // Pages show the person times in it, and relying parties read it as an IANA name.
      if (!IsTimeZoneName(v)) return "must be a time zone name such as Europe/Paris";
      break;
    default: break;
  }
  return std::nullopt;
}

void PatchAddress(const json::value& v, json::object& profile, std::vector<FieldError>& errors,
                  json::object& out) {
  if (v.is_null()) return;  // removal: `out` stays without it
  if (!v.is_object()) {
    errors.push_back({"profile.address", "must be an object or null"});
    return;
  }
  json::object address;
  if (auto it = profile.find("address"); it != profile.end() && it->value().is_object()) {
    address = it->value().as_object();
  }
  for (const auto& [key, val] : v.as_object()) {
    std::string field = "profile.address." + std::string(key);
    bool known = std::find(std::begin(kAddressFields), std::end(kAddressFields), key) !=
                 std::end(kAddressFields);
    if (!known) { errors.push_back({field, "unknown field"}); continue; }
    if (val.is_null()) { address.erase(key); continue; }
    if (!val.is_string()) { errors.push_back({field, "must be a string or null"}); continue; }
    if (auto why = CheckValue({key, Kind::kLongText, 500}, val.as_string())) {
      errors.push_back({field, *why});
      continue;
    }
    address[key] = val;
  }
  if (!address.empty()) out["address"] = std::move(address);
}

}  // namespace

void ApplyProfilePatch(const json::object& patch, json::object& profile,
                       std::vector<FieldError>& errors) {
  size_t errors_before = errors.size();
  json::object out = profile;
  for (const auto& [key, val] : patch) {
    std::string field = "profile." + std::string(key);
    if (key == "address") {
      out.erase("address");
      PatchAddress(val, profile, errors, out);
      continue;
    }
    const FieldRule* rule = nullptr;
    for (const auto& r : kFields) {
      if (r.name == key) rule = &r;
    }
    if (!rule) { errors.push_back({field, "unknown field"}); continue; }
    if (val.is_null()) { out.erase(key); continue; }
    if (!val.is_string()) { errors.push_back({field, "must be a string or null"}); continue; }
    if (auto why = CheckValue(*rule, val.as_string())) { errors.push_back({field, *why}); continue; }
    out[key] = val;
  }
  if (errors.size() == errors_before) profile = std::move(out);
}

bool IsProfileField(std::string_view name) {
  if (name == "address") return true;
  return std::any_of(std::begin(kFields), std::end(kFields),
                     [&](const FieldRule& f) { return f.name == name; });
}

}  // namespace tessera::services
