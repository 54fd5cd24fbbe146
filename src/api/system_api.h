// File: system_api.h
// Operational endpoints: /healthz (the process answers), /readyz (the database answers),
// /metrics (Prometheus; with --metrics-token only for `Authorization: Bearer <token>`, and with
// --metrics-listen served on that listener only: http/server.h), and each app's JWKS at
// {issuer}/.well-known/jwks.json.
#pragma once

#include "base/metrics.h"
#include "crypto/digest.h"
#include "http/router.h"
#include "tenancy/app_service.h"
#include "tokens/key_service.h"
#include <functional>

#include "base/status.h"

namespace tessera::api {

class SystemApi {
 public:
  // `shutting_down`: the server is stopping (readiness fails first, so a balancer moves on).
  SystemApi(std::function<Status()> ready_probe, std::function<bool()> shutting_down,
            services::AppService& apps, services::KeyService& keys, Metrics& metrics,
            std::string metrics_token = "")
      : ready_probe_(std::move(ready_probe)),
        shutting_down_(std::move(shutting_down)),
        apps_(apps),
        keys_(keys),
        metrics_(metrics),
        metrics_token_digest_(metrics_token.empty() ? "" : crypto::Sha256(metrics_token)) {}
  void Mount(http::Router& router);

 private:
  bool MetricsAllowed(const http::Request& req) const;

  std::function<Status()> ready_probe_;  // the database answers (readiness)
  std::function<bool()> shutting_down_;
  services::AppService& apps_;
  services::KeyService& keys_;
  Metrics& metrics_;
  std::string metrics_token_digest_;  // SHA-256 of --metrics-token; empty: /metrics is open
};

}  // namespace tessera::api
