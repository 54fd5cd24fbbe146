// File: server.h
// HTTP/1.1 server on Boost.Beast with C++20 coroutines.
//
// Threads: `io_threads` run the io_context (accept, read, write — never blocking); each
// connection is a coroutine on its own strand. A handler marked Dispatch::kWorker runs on the
// `workers` pool (database calls), one marked kHashing on the `hashing_workers` pool (routes
// that may wait for a password hash); the coroutine resumes on its strand to write the
// answer. So a slow database or a hash never stalls network threads, and a login flood never
// takes the workers that token refreshes and `me` calls need.
//
// Limits: header size (431), body size (413), a deadline for reading each request (a slow or
// silent client is cut off), an idle deadline between keep-alive requests, and at most
// `max_connections` open connections (connection_limiter.h): at the cap the longest-idle one
// makes room, and when accept fails for want of descriptors the loop pauses instead of
// retrying at once. The client address of each request: forwarded.h (--trusted-proxies).
// With a metrics listener (`metrics_host` set), `metrics_path` is served there only (and is 404
// on the public listener), and nothing else is served there.
// Shutdown (SIGTERM/SIGINT or Stop()): `on_shutdown` is told at once (readiness fails, so a
// load balancer stops sending requests), the server goes on serving for `shutdown_delay`,
// then it stops accepting, answers in-flight requests with `Connection: close`, waits for
// them (up to `drain_timeout`), and stops.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "base/metrics.h"
#include "base/result.h"
#include "http/forwarded.h"
#include "http/router.h"

namespace tessera::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;
  int io_threads = 1;
  int workers = 4;
  int hashing_workers = 12;
  size_t max_body_bytes = 64 * 1024;
  size_t max_header_bytes = 16 * 1024;
  std::chrono::seconds read_timeout{15};   // to receive one whole request
  std::chrono::seconds idle_timeout{60};   // between keep-alive requests
  std::chrono::seconds drain_timeout{20};  // at shutdown
  // Behind a load balancer: longer than its health checks take to mark the node down, so no
  // request arrives on a connection the node is about to close.
  std::chrono::milliseconds shutdown_delay{0};
  std::function<void()> on_shutdown;  // called once, when the shutdown begins (may be null)
  size_t max_connections = 1024;
  ForwardingRules forwarding;  // whose X-Forwarded-For / Forwarded to believe
  std::string metrics_host;    // a separate listener for /metrics when non-empty
  uint16_t metrics_port = 0;
  std::string metrics_path = "/metrics";
  // Answers a request no route matches (404), on the worker pool; null: the JSON problem.
  Handler not_found;
};

// Wraps every response: request id, security headers, access log, metrics.
class RequestObserver {
 public:
  virtual ~RequestObserver() = default;
  virtual void OnResponse(const Request& req, const Route* route, unsigned status,
                          double seconds) = 0;
};

class Server {
 public:
  Server(ServerOptions options, const Router& router, RequestObserver& observer,
         Metrics& metrics);
  ~Server();

  // Binds and listens; returns the bound port (useful with port 0).
  Result<uint16_t> Listen();
  uint16_t metrics_port() const;  // the metrics listener's bound port, after Listen()
  // Serves until SIGTERM/SIGINT or Stop(), then drains. Blocks.
  void Run();
  void Stop();  // thread-safe

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tessera::http
