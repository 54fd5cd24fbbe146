// File: acr.h
// Authentication context classes (OIDC Core §2 `acr`, §3.1.2.1 `acr_values`): what an ID
// token says of how strongly the user signed in, and what a client may ask for. Two classes,
// from the session's amr (RFC 8176): a single factor, or several ("mfa").
#pragma once

#include <string>
#include <string_view>

namespace tessera::services {

inline constexpr std::string_view kAcrSingleFactor = "urn:tessera:acr:sfa";
inline constexpr std::string_view kAcrMultiFactor = "urn:tessera:acr:mfa";

// The class a session's amr values ("pwd otp mfa") reach.
std::string_view AcrOf(std::string_view amr);
// Whether space-separated acr_values ask for more than one factor.
bool AcrValuesAskForMfa(std::string_view acr_values);
// Whether amr values say several factors were used.
bool AmrHasMfa(std::string_view amr);

}  // namespace tessera::services
