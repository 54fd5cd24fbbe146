// File: outbound_http.h
// HTTP calls from Tessera to others: an upstream provider (token endpoints, discovery, JWKS,
// user APIs), a client's back-channel logout URI (delivery_worker.h). Blocking: run on worker threads, never the network threads. The libcurl client
// verifies TLS, follows no redirects, speaks only http(s), bounds time and response size, and
// by default connects only to public addresses (public_address.h).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "base/result.h"

namespace tessera::services {

struct OutboundRequest {
  std::string method = "GET";  // GET or POST
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;  // name, value
  std::string body;            // POST: application/x-www-form-urlencoded unless a header says
};

struct OutboundResponse {
  long status = 0;
  std::string content_type;
  std::string body;
};

class OutboundHttp {
 public:
  virtual ~OutboundHttp() = default;
  // Any HTTP answer is OK (the caller judges the status); kUnavailable when there was none
  // (refused, timed out, TLS failed, the body past the limit, not a public address), saying
  // which.
  virtual Result<OutboundResponse> Send(const OutboundRequest& request) = 0;
};

struct CurlOutboundHttpOptions {
  long connect_timeout_ms = 5000;
  long total_timeout_ms = 10000;
  size_t max_response_bytes = 1 << 20;
  std::string user_agent = "Tessera";  // GitHub's API refuses calls without one
  // false: refuse to connect to loopback, private, link-local and other non-public addresses
  // (IsPublicAddress), judged on each address libcurl is about to connect to, after DNS —
  // so a name that resolves or rebinds to one is refused too. true (the server's
  // --federation-allow-private-hosts for providers, --outbound-allow-private-hosts for
  // deliveries): an on-premises provider or client on a private network, tests.
  bool allow_private_addresses = false;
  // The flag that allows them, named when a private address is refused.
  std::string private_hosts_flag = "--federation-allow-private-hosts";
};

class CurlOutboundHttp final : public OutboundHttp {
 public:
  explicit CurlOutboundHttp(CurlOutboundHttpOptions options = {}) : options_(std::move(options)) {}
  Result<OutboundResponse> Send(const OutboundRequest& request) override;

 private:
  CurlOutboundHttpOptions options_;
};

}  // namespace tessera::services
