// File: access_log.h
// One JSON line per request (request id, method, route, status, latency) and the route's
// metrics. Query strings are never logged: they may carry codes or tokens.
#pragma once

#include <atomic>

#include "base/metrics.h"
#include "http/router.h"
#include "http/server.h"

namespace tessera::app {

class AccessLog final : public http::RequestObserver {
 public:
  explicit AccessLog(const http::Router& router) : router_(router) {}
  void OnResponse(const http::Request& req, const http::Route* route, unsigned status,
                  double seconds) override;
  // Requests answered so far (for the idle memory trimmer).
  uint64_t requests_seen() const { return requests_seen_.load(std::memory_order_relaxed); }

 private:
  const http::Router& router_;
  std::atomic<uint64_t> requests_seen_{0};
};

}  // namespace tessera::app
