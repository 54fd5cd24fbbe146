// File: upstream_http.h
// HTTP calls from Tessera to an upstream provider (token endpoints, discovery, JWKS, user
// APIs). Blocking: run on worker threads, never the network threads. The libcurl client
// verifies TLS, follows no redirects, speaks only http(s), bounds time and response size, and
// by default connects only to public addresses (public_address.h).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "base/result.h"

namespace tessera::services {

struct UpstreamRequest {
  std::string method = "GET";  // GET or POST
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;  // name, value
  std::string body;            // POST: application/x-www-form-urlencoded unless a header says
};

struct UpstreamResponse {
  long status = 0;
  std::string content_type;
  std::string body;
};

class UpstreamHttp {
 public:
  virtual ~UpstreamHttp() = default;
  // Any HTTP answer is OK (the caller judges the status); kUnavailable when there was none
  // (refused, timed out, TLS failed, the body past the limit, not a public address), saying
  // which.
  virtual Result<UpstreamResponse> Send(const UpstreamRequest& request) = 0;
};

struct CurlUpstreamHttpOptions {
  long connect_timeout_ms = 5000;
  long total_timeout_ms = 10000;
  size_t max_response_bytes = 1 << 20;
  std::string user_agent = "Tessera";  // GitHub's API refuses calls without one
  // false: refuse to connect to loopback, private, link-local and other non-public addresses
  // (IsPublicAddress), judged on each address libcurl is about to connect to, after DNS —
  // so a name that resolves or rebinds to one is refused too. true (the server's
  // --federation-allow-private-hosts): an on-premises provider on a private network, tests.
  bool allow_private_addresses = false;
};

class CurlUpstreamHttp final : public UpstreamHttp {
 public:
  explicit CurlUpstreamHttp(CurlUpstreamHttpOptions options = {}) : options_(std::move(options)) {}
  Result<UpstreamResponse> Send(const UpstreamRequest& request) override;

 private:
  CurlUpstreamHttpOptions options_;
};

}  // namespace tessera::services
