#include "oauth/oidc_claims.h"

#include <algorithm>
#include <boost/json.hpp>

namespace tessera::services {
namespace json = boost::json;
namespace {

constexpr std::string_view kProfileClaims[] = {
    "name",     "given_name", "family_name", "middle_name", "nickname", "picture",
    "website",  "gender",     "birthdate",   "zoneinfo",    "locale"};

bool Has(const std::vector<std::string>& scopes, std::string_view s) {
  return std::find(scopes.begin(), scopes.end(), s) != scopes.end();
}

json::object ParseObject(const std::string& text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  return !ec && v.is_object() ? std::move(v.as_object()) : json::object();
}

}  // namespace

json::object ClaimsForScopes(const store::User& user, const std::vector<std::string>& scopes) {
  json::object claims{{"sub", user.id}};
  json::object profile = ParseObject(user.profile_json);
  if (Has(scopes, "profile")) {
    for (auto name : kProfileClaims) {
      if (auto it = profile.find(name); it != profile.end() && it->value().is_string()) {
        claims[name] = it->value();
      }
    }
    if (user.username) claims["preferred_username"] = *user.username;
    claims["updated_at"] = user.updated_at / 1000;
  }
  if (Has(scopes, "email")) {
    claims["email"] = user.email;
    claims["email_verified"] = user.email_verified;
  }
  if (Has(scopes, "phone")) {
    if (auto it = profile.find("phone_number"); it != profile.end() && it->value().is_string()) {
      claims["phone_number"] = it->value();
      claims["phone_number_verified"] = false;  // Tessera does not verify phone numbers
    }
  }
  if (Has(scopes, "roles")) {
    json::array roles;
    for (const std::string& r : user.roles) roles.emplace_back(r);
    claims["roles"] = std::move(roles);
  }
  if (Has(scopes, "address")) {
    if (auto it = profile.find("address"); it != profile.end() && it->value().is_object()) {
      claims["address"] = it->value();
    }
  }
  return claims;
}

std::vector<std::string> SupportedClaims() {
  std::vector<std::string> out = {"sub", "iss", "aud", "exp", "iat", "auth_time", "nonce",
                                  "at_hash", "sid", "azp", "amr", "idp", "acr"};
  for (auto c : kProfileClaims) out.emplace_back(c);
  for (auto c : {"preferred_username", "updated_at", "email", "email_verified", "phone_number",
                 "phone_number_verified", "address", "roles"}) {
    out.emplace_back(c);
  }
  return out;
}

ScopeDescription DescribeScope(std::string_view scope) {
  if (scope == "openid") return {"Sign you in", "Confirm who you are with your account."};
  if (scope == "profile") {
    return {"Your profile", "Your name, username, picture, website, locale and time zone."};
  }
  if (scope == "email") return {"Your email address", "Your email address and whether it is verified."};
  if (scope == "phone") return {"Your phone number", "The phone number on your profile."};
  if (scope == "address") return {"Your postal address", "The address on your profile."};
  if (scope == "roles") return {"Your roles", "The roles you hold in this app (e.g. admin)."};
  if (scope == "offline_access") {
    return {"Stay connected", "Keep access while you are not using it, until you revoke it."};
  }
  if (scope == "account") {
    return {"Manage your account", "Change your profile, password, sessions and tokens."};
  }
  return {std::string(scope), "Access the \"" + std::string(scope) + "\" permission."};
}

std::vector<std::string> SplitScopes(std::string_view scope) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < scope.size()) {
    size_t end = scope.find(' ', pos);
    if (end == std::string_view::npos) end = scope.size();
    if (end > pos) {
      std::string s(scope.substr(pos, end - pos));
      if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(std::move(s));
    }
    pos = end + 1;
  }
  return out;
}

std::string JoinScopes(const std::vector<std::string>& scopes) {
  std::string out;
  for (const auto& s : scopes) out += (out.empty() ? "" : " ") + s;
  return out;
}

}  // namespace tessera::services
