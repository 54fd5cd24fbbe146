// File: sign_in_rules.h
// Whether a user who has proven who they are may hold a session of an app: the one rule every
// way in checks (password sign-in, hosted sign-up, the authorization code exchange), so that
// no way in forgets the app's "verified addresses only" setting.
#pragma once

#include "accounts/user_records.h"
#include "base/result.h"
#include "tenancy/tenancy_records.h"

namespace tessera::services {

// What a user whose address is not verified is told, where the app requires verified ones.
inline constexpr std::string_view kVerifyAddressFirst =
    "Verify your email address first: use the link we sent you, or ask for a new one.";

// kUnauthenticated for a disabled account; kPermissionDenied (kVerifyAddressFirst) for an
// unverified address while the app requires verified addresses; OK otherwise.
Status SessionAllowed(const store::App& app, const store::User& user);

}  // namespace tessera::services
