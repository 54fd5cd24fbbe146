#include "accounts/sign_in_rules.h"

namespace tessera::services {

Status SessionAllowed(const store::App& app, const store::User& user) {
  if (user.disabled) return UnauthenticatedError("this account is disabled");
  if (app.settings.require_verified_email && !user.email_verified) {
    return PermissionDeniedError(std::string(kVerifyAddressFirst));
  }
  return OkStatus();
}

}  // namespace tessera::services
