// File: backchannel_logout.h
// OIDC Back-Channel Logout 1.0, the sending side. The store queues a delivery whenever a
// grant of a client with a backchannel_logout_uri ends, or the browser session it was started
// from does (sessions/session_store.h); when the delivery worker (outbound/delivery_worker.h)
// sends it, this makes its request: a freshly signed logout token (TokenIssuer::LogoutToken)
// POSTed as application/x-www-form-urlencoded `logout_token` to the client's URI (§2.5).
// Nothing is sent — the delivery is dropped — while the app has backchannel_logout off, or
// once the client is gone or has no URI any more.
#pragma once

#include "oauth/oauth_store.h"
#include "oauth/token_issuer.h"
#include "outbound/delivery_worker.h"
#include "tenancy/tenancy_store.h"

namespace tessera::services {

class BackchannelLogout final : public DeliveryPreparer {
 public:
  BackchannelLogout(store::AppStore& apps, store::ClientStore& clients, TokenIssuer& tokens)
      : apps_(apps), clients_(clients), tokens_(tokens) {}

  Result<std::optional<OutboundRequest>> Prepare(const store::Delivery& delivery) override;

 private:
  store::AppStore& apps_;
  store::ClientStore& clients_;
  TokenIssuer& tokens_;
};

}  // namespace tessera::services
