// File: profile.h
// The user profile: the OpenID Connect standard claims (OIDC Core §5.1) a person can set —
// name, given_name, family_name, middle_name, nickname, picture, website, gender, birthdate,
// zoneinfo, locale, phone_number, address — plus a free-text "about". Stored as a JSON
// object; every field is optional and bounded.
#pragma once

#include <boost/json/object.hpp>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace tessera::services {

// Merges `patch` into `profile`: a string sets a field, null removes it, `address` merges the
// same way. Appends one FieldError ("profile.<name>") per bad member; `profile` is changed
// only when there is none.
// Whether `name` is a member of the profile (a claim above, "address" or "about").
bool IsProfileField(std::string_view name);

void ApplyProfilePatch(const boost::json::object& patch, boost::json::object& profile,
                       std::vector<FieldError>& errors);

}  // namespace tessera::services
