// File: metrics.h
// Prometheus metrics with lock-free hot paths: counters and fixed-bucket histograms are
// atomics; HTTP route series are registered once at mount time, so recording a request never
// takes a lock or allocates. Rendered in the Prometheus text exposition format 0.0.4.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>

namespace tessera {

class Counter {
 public:
  void Inc(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

class Gauge {
 public:
  void Set(int64_t v) { value_.store(v, std::memory_order_relaxed); }
  int64_t Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

class Histogram {
 public:
  static constexpr std::array<double, 14> kBounds = {0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                    0.025,  0.05,  0.1,    0.25,  0.5,
                                                    1,      2.5,   5,      10};
  void Observe(double seconds);
  // Appends `name_bucket/_sum/_count` lines with the given label set (without braces).
  void Render(std::string& out, const std::string& name, const std::string& labels) const;

 private:
  std::array<std::atomic<uint64_t>, kBounds.size() + 1> buckets_{};  // last = +Inf
  std::atomic<uint64_t> sum_micros_{0};
};

// Per-route HTTP series: requests by status code, and latency.
struct RouteMetrics {
  std::string method;
  std::string route;
  std::array<std::atomic<uint64_t>, 600> by_status{};
  Histogram latency;
  void Record(unsigned status, double seconds) {
    if (status < by_status.size()) by_status[status].fetch_add(1, std::memory_order_relaxed);
    latency.Observe(seconds);
  }
};

class Metrics {
 public:
  // Business counters the services bump.
  Counter logins_ok;
  Counter logins_failed;
  Counter signups;
  Counter access_tokens_issued;
  Counter refresh_tokens_issued;
  Counter refresh_reuse_detected;
  Counter password_hash_shed;  // requests refused with 503: their expected wait was too long
  Counter password_hash_shed_fair_share;  // … because their client IP held its share of the queue
  Gauge password_hash_estimate_us;  // the running estimate of one hash's duration
  Gauge connections_open;           // client connections open now (all listeners)
  Counter connections_refused;      // accepted and closed at once: at the cap, none idle
  Counter connections_evicted;      // idle keep-alive connections closed to make room
  Counter accept_backoffs;          // accept failed (out of descriptors …): paused, not retried
  Counter mails_sent;          // handed to the SMTP server (or the outbox folder)
  Counter mail_send_failures;  // attempts that failed (the mail stays queued)
  Gauge mail_outbox_unsent;    // unsent mails in the outbox (all nodes'), as last counted
  Counter deliveries_sent;        // HTTP deliveries a receiver took (2xx)
  Counter delivery_failures;      // attempts that failed (retried until the delivery gives up)
  Gauge deliveries_pending;       // pending HTTP deliveries (all nodes'), as last counted
  Gauge change_listener_up;    // 1 while listening for other nodes' change notices (PostgreSQL)
  Counter change_notices_received;  // notices heard (other nodes' and this node's own)

  // Thread-safe; the returned reference lives as long as this object.
  RouteMetrics& RegisterRoute(const std::string& method, const std::string& route);
  // Requests answered since start, every route together, by status class: [k] = k00..k99.
  std::array<uint64_t, 6> StatusClassTotals() const;
  std::string RenderPrometheus() const;

 private:
  mutable std::mutex mu_;
  std::deque<RouteMetrics> routes_;  // GUARDED_BY(mu_) for insertion; deque keeps addresses
};

}  // namespace tessera
