#include "app/access_log.h"

#include "base/log.h"

namespace tessera::app {

void AccessLog::OnResponse(const http::Request& req, const http::Route* route, unsigned status,
                           double seconds) {
  requests_seen_.fetch_add(1, std::memory_order_relaxed);
  RouteMetrics& m = route ? *route->metrics : router_.unmatched_metrics();
  m.Record(status, seconds);
  auto level = status >= 500 ? spdlog::level::warn : spdlog::level::info;
  boost::json::object line{{"request_id", req.request_id},
                           {"method", std::string(http::beast_http::to_string(req.raw.method()))},
                           {"route", route ? route->pattern : "unmatched"},
                           {"status", status},
                           {"latency_us", static_cast<int64_t>(seconds * 1e6)},
                           {"remote", req.remote_ip}};
  // Through a trusted proxy: which one, and the scheme the client used.
  if (req.peer_ip != req.remote_ip) {
    line["peer"] = req.peer_ip;
    line["scheme"] = req.scheme;
  }
  LogJson(level, "request", std::move(line));
}

}  // namespace tessera::app
