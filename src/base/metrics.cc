#include "base/metrics.h"

#include <cstdio>

namespace tessera {
namespace {

void Line(std::string& out, const std::string& name, const std::string& labels, uint64_t v) {
  out += name;
  if (!labels.empty()) out += "{" + labels + "}";
  out += " " + std::to_string(v) + "\n";
}

void Family(std::string& out, const char* name, const char* type, const char* help) {
  out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

}  // namespace

void Histogram::Observe(double seconds) {
  size_t i = 0;
  while (i < kBounds.size() && seconds > kBounds[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_micros_.fetch_add(static_cast<uint64_t>(seconds * 1e6), std::memory_order_relaxed);
}

void Histogram::Render(std::string& out, const std::string& name, const std::string& labels) const {
  uint64_t cumulative = 0;
  std::string prefix = labels.empty() ? "" : labels + ",";
  for (size_t i = 0; i <= kBounds.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    char le[32];
    if (i < kBounds.size()) {
      std::snprintf(le, sizeof le, "%g", kBounds[i]);
    } else {
      std::snprintf(le, sizeof le, "+Inf");
    }
    Line(out, name + "_bucket", prefix + "le=\"" + le + "\"", cumulative);
  }
  char sum[64];
  std::snprintf(sum, sizeof sum, "%.6f", sum_micros_.load(std::memory_order_relaxed) / 1e6);
  out += name + "_sum" + (labels.empty() ? "" : "{" + labels + "}") + " " + sum + "\n";
  Line(out, name + "_count", labels, cumulative);
}

RouteMetrics& Metrics::RegisterRoute(const std::string& method, const std::string& route) {
  std::lock_guard lock(mu_);
  RouteMetrics& m = routes_.emplace_back();
  m.method = method;
  m.route = route;
  return m;
}

std::array<uint64_t, 6> Metrics::StatusClassTotals() const {
  std::array<uint64_t, 6> out{};
  std::lock_guard lock(mu_);
  for (const RouteMetrics& r : routes_) {
    for (size_t status = 100; status < r.by_status.size(); ++status) {
      out[status / 100] += r.by_status[status].load(std::memory_order_relaxed);
    }
  }
  return out;
}

std::string Metrics::RenderPrometheus() const {
  std::string out;
  Family(out, "tessera_http_requests_total", "counter", "HTTP requests by route and status.");
  std::lock_guard lock(mu_);
  for (const auto& r : routes_) {
    for (size_t s = 0; s < r.by_status.size(); ++s) {
      uint64_t v = r.by_status[s].load(std::memory_order_relaxed);
      if (v == 0) continue;
      Line(out, "tessera_http_requests_total",
           "method=\"" + r.method + "\",route=\"" + r.route + "\",status=\"" +
               std::to_string(s) + "\"",
           v);
    }
  }
  Family(out, "tessera_http_request_duration_seconds", "histogram",
         "HTTP request latency by route.");
  for (const auto& r : routes_) {
    r.latency.Render(out, "tessera_http_request_duration_seconds",
                     "method=\"" + r.method + "\",route=\"" + r.route + "\"");
  }
  auto sample = [&out](const char* series, const Counter& c) {
    out += std::string(series) + " " + std::to_string(c.Value()) + "\n";
  };
  Family(out, "tessera_logins_total", "counter", "Password logins by result.");
  sample("tessera_logins_total{result=\"ok\"}", logins_ok);
  sample("tessera_logins_total{result=\"failed\"}", logins_failed);
  Family(out, "tessera_signups_total", "counter", "Accounts created.");
  sample("tessera_signups_total", signups);
  Family(out, "tessera_tokens_issued_total", "counter", "Tokens issued by kind.");
  sample("tessera_tokens_issued_total{kind=\"access\"}", access_tokens_issued);
  sample("tessera_tokens_issued_total{kind=\"refresh\"}", refresh_tokens_issued);
  Family(out, "tessera_refresh_token_reuse_total", "counter",
         "Rotated refresh tokens presented again (the session was revoked).");
  sample("tessera_refresh_token_reuse_total", refresh_reuse_detected);
  Family(out, "tessera_password_hash_shed_total", "counter",
         "Requests refused with 503: their expected wait for a password hash was too long.");
  sample("tessera_password_hash_shed_total", password_hash_shed);
  Family(out, "tessera_password_hash_shed_fair_share_total", "counter",
         "Of those, requests whose client IP already held its share of the queue.");
  sample("tessera_password_hash_shed_fair_share_total", password_hash_shed_fair_share);
  Family(out, "tessera_password_hash_estimate_us", "gauge",
         "Running estimate of one password hash's duration, microseconds.");
  out += "tessera_password_hash_estimate_us " + std::to_string(password_hash_estimate_us.Value()) + "\n";
  Family(out, "tessera_connections_open", "gauge", "Client connections open now.");
  out += "tessera_connections_open " + std::to_string(connections_open.Value()) + "\n";
  Family(out, "tessera_connections_evicted_total", "counter",
         "Idle keep-alive connections closed to make room at --max-connections.");
  sample("tessera_connections_evicted_total", connections_evicted);
  Family(out, "tessera_connections_refused_total", "counter",
         "Connections closed at once: at --max-connections with every connection busy.");
  sample("tessera_connections_refused_total", connections_refused);
  Family(out, "tessera_accept_backoffs_total", "counter",
         "Failed accepts (out of file descriptors …) after which the server paused.");
  sample("tessera_accept_backoffs_total", accept_backoffs);
  Family(out, "tessera_mail_sent_total", "counter", "Mails handed to the SMTP server (or outbox folder).");
  sample("tessera_mail_sent_total", mails_sent);
  Family(out, "tessera_mail_send_failures_total", "counter",
         "Failed attempts to send a mail (it stays queued and is retried).");
  sample("tessera_mail_send_failures_total", mail_send_failures);
  Family(out, "tessera_mail_outbox_unsent", "gauge", "Unsent mails in the outbox, as last counted.");
  out += "tessera_mail_outbox_unsent " + std::to_string(mail_outbox_unsent.Value()) + "\n";
  Family(out, "tessera_deliveries_sent_total", "counter",
         "HTTP deliveries (back-channel logout tokens) a receiver took with a 2xx.");
  sample("tessera_deliveries_sent_total", deliveries_sent);
  Family(out, "tessera_delivery_failures_total", "counter",
         "Failed attempts of an HTTP delivery (retried with back-off for a day).");
  sample("tessera_delivery_failures_total", delivery_failures);
  Family(out, "tessera_deliveries_pending", "gauge", "Pending HTTP deliveries, as last counted.");
  out += "tessera_deliveries_pending " + std::to_string(deliveries_pending.Value()) + "\n";
  Family(out, "tessera_change_listener_up", "gauge",
         "1 while this node listens for change notices (PostgreSQL); 0: its caches rely on their lifetimes.");
  out += "tessera_change_listener_up " + std::to_string(change_listener_up.Value()) + "\n";
  Family(out, "tessera_change_notices_received_total", "counter",
         "Change notices heard (an app changed, the keys rotated), this node's own included.");
  out += "tessera_change_notices_received_total " +
         std::to_string(change_notices_received.Value()) + "\n";
  return out;
}

}  // namespace tessera
