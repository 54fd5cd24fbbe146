// File: device_code_grant.h
// grant_type=urn:ietf:params:oauth:grant-type:device_code (RFC 8628 §3.4–3.5): the device
// polls with its device_code until the user decides. Each poll is one atomic update of the
// authorization: authorization_pending while the user has not decided; slow_down — and 5 s
// more on the interval, for this and every later poll — when it polls sooner than the
// interval; access_denied once denied; expired_token once expired; and, once approved, the
// tokens, exactly once (the authorization is then redeemed: any later poll is invalid_grant).
// A device code is bound to its client: another client's poll is invalid_grant.
#pragma once

#include "base/clock.h"
#include "oauth/grant.h"
#include "oauth/grant_start.h"
#include "oauth/oauth_store.h"

namespace tessera::services {

class DeviceCodeGrant : public Grant {
 public:
  DeviceCodeGrant(store::DeviceAuthorizationStore& store, GrantStart& start, const Clock& clock)
      : store_(store), start_(start), clock_(clock) {}

  std::string_view type() const override;
  // Only where the app has the device flow on.
  bool EnabledFor(const store::App& app) const override;
  // Reads device_code.
  OAuthResult<GrantedTokens> Issue(const GrantRequest& request) override;

 private:
  store::DeviceAuthorizationStore& store_;
  GrantStart& start_;
  const Clock& clock_;
};

}  // namespace tessera::services
