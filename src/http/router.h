// File: router.h
// Maps (method, path) to a handler. Patterns are literal segments and `{name}` segments that
// match one non-empty segment: "/apps/{app}/api/me/tokens/{id}". A path that matches some
// pattern but not the method gets 405 with Allow; no match gets 404.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/metrics.h"
#include "http/message.h"

namespace tessera::http {

using Handler = std::function<Response(Request&)>;

// Where a handler runs: kWorker (the default) on the worker pool, where short blocking on the
// database is fine; kHashing on the separate hashing pool, for handlers that may wait for a
// password hash (so a login burst never occupies the workers every other request needs);
// kInline on the I/O thread, only for handlers that never block.
enum class Dispatch { kWorker, kHashing, kInline };

struct Route {
  beast_http::verb method;
  std::string pattern;
  std::vector<std::string> segments;
  Handler handler;
  Dispatch dispatch;
  RouteMetrics* metrics;
};

struct RouteMatch {
  const Route* route = nullptr;  // null: see `status`
  unsigned status = 404;         // 404 or 405 when route is null
  std::string allow;             // for 405
};

class Router {
 public:
  explicit Router(Metrics& metrics);
  void Add(beast_http::verb method, std::string pattern, Handler handler,
           Dispatch dispatch = Dispatch::kWorker);
  // Fills request.params on a match.
  RouteMatch Match(beast_http::verb method, Request& request) const;
  // Series for requests that matched no route (404/405) or never reached routing.
  RouteMetrics& unmatched_metrics() const { return *unmatched_; }
  const std::vector<Route>& routes() const { return routes_; }

 private:
  Metrics& metrics_;
  RouteMetrics* unmatched_;
  std::vector<Route> routes_;
};

}  // namespace tessera::http
