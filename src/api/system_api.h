// File: system_api.h
// Operational endpoints: /healthz (the process answers), /readyz (the database answers),
// /metrics (Prometheus), and each app's JWKS at {issuer}/.well-known/jwks.json.
#pragma once

#include "base/metrics.h"
#include "http/router.h"
#include "tenancy/app_service.h"
#include "tokens/key_service.h"
#include "store/store.h"

namespace tessera::api {

class SystemApi {
 public:
  SystemApi(store::Store& store, services::AppService& apps, services::KeyService& keys,
            Metrics& metrics)
      : store_(store), apps_(apps), keys_(keys), metrics_(metrics) {}
  void Mount(http::Router& router);

 private:
  store::Store& store_;
  services::AppService& apps_;
  services::KeyService& keys_;
  Metrics& metrics_;
};

}  // namespace tessera::api
