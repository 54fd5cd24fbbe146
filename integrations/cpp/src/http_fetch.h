// File: http_fetch.h (internal)
// The one libcurl request of this library (the JWKS fetch, the introspection call): http and
// https only, no redirects, connect and total timeouts, a response size limit, no signals
// (safe in threads). Plain http only to a loopback host unless allowed, checked once when the
// URL is configured.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace tessera::resource_server::internal {

// Throws std::invalid_argument (the message starts with `who`) for a URL that is not http(s),
// or plain http to a host that is not loopback without `allow_insecure_http`.
void CheckHttpUrl(std::string_view who, const std::string& url, bool allow_insecure_http);

struct FetchOptions {
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds request_timeout{5000};
  std::size_t max_response_bytes = 256 * 1024;
  std::string ca_file;  // CA bundle for https (default: the system's)
};

struct FetchAnswer {
  bool done = false;       // an HTTP answer came (of any status), within the limits
  bool too_large = false;  // the answer was over max_response_bytes
  long status = 0;
  std::string body;
  std::string error;  // why not done: libcurl's words (timeout, refused connection, …)
};

// GET `url`, or POST `post_body` when it is given; `headers` as "Name: value" lines.
FetchAnswer Fetch(const std::string& url, const FetchOptions& options,
                  const std::vector<std::string>& headers, const std::string* post_body = nullptr);

}  // namespace tessera::resource_server::internal
