#include "oauth/acr.h"

#include "oauth/oidc_claims.h"

namespace tessera::services {

bool AmrHasMfa(std::string_view amr) {
  for (const auto& v : SplitScopes(amr)) {
    if (v == "mfa") return true;
  }
  return false;
}

std::string_view AcrOf(std::string_view amr) {
  return AmrHasMfa(amr) ? kAcrMultiFactor : kAcrSingleFactor;
}

bool AcrValuesAskForMfa(std::string_view acr_values) {
  for (const auto& v : SplitScopes(acr_values)) {
    if (v == kAcrMultiFactor) return true;
  }
  return false;
}

}  // namespace tessera::services
