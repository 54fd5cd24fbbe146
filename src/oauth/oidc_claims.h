// File: oidc_claims.h
// What a user's scopes reveal (OIDC Core §5.4): `profile` → name, given_name, …,
// preferred_username, updated_at; `email` → email, email_verified; `phone` → phone_number,
// phone_number_verified; `address` → address. Used by the ID token and userinfo alike, so
// the two always agree. Also the plain-words description of each scope for the consent page.
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "accounts/user_records.h"

namespace tessera::services {

// The scopes an OIDC provider knows; a client may also be granted its own API scopes.
// "roles" is Tessera's: the user's app roles (ID token, userinfo; access tokens always carry them).
inline constexpr std::string_view kOidcScopes[] = {"openid", "profile", "email", "phone",
                                                   "address", "offline_access", "roles"};

// The claims released for `scopes` (sub included).
boost::json::object ClaimsForScopes(const store::User& user, const std::vector<std::string>& scopes);

// Every claim ClaimsForScopes can release (for discovery's claims_supported).
std::vector<std::string> SupportedClaims();

struct ScopeDescription {
  std::string title;
  std::string description;
};
ScopeDescription DescribeScope(std::string_view scope);

std::vector<std::string> SplitScopes(std::string_view scope);
std::string JoinScopes(const std::vector<std::string>& scopes);

}  // namespace tessera::services
