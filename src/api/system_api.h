// File: system_api.h
// Operational endpoints: /healthz (the process answers), /readyz (the database answers),
// /metrics (Prometheus), and each app's JWKS at {issuer}/.well-known/jwks.json.
#pragma once

#include "base/metrics.h"
#include "http/router.h"
#include "tenancy/app_service.h"
#include "tokens/key_service.h"
#include <functional>

#include "base/status.h"

namespace tessera::api {

class SystemApi {
 public:
  SystemApi(std::function<Status()> ready_probe, services::AppService& apps, services::KeyService& keys,
            Metrics& metrics)
      : ready_probe_(std::move(ready_probe)), apps_(apps), keys_(keys), metrics_(metrics) {}
  void Mount(http::Router& router);

 private:
  std::function<Status()> ready_probe_;  // the database answers (readiness)
  services::AppService& apps_;
  services::KeyService& keys_;
  Metrics& metrics_;
};

}  // namespace tessera::api
