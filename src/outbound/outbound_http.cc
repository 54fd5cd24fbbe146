#include "outbound/outbound_http.h"

#include <curl/curl.h>
#include <sys/socket.h>

#include <boost/url/parse.hpp>
#include <memory>
#include <mutex>

#include "outbound/public_address.h"

namespace tessera::services {
namespace {

// curl_global_init is reference counted and, in the libcurl of Debian 12 (7.88), thread-safe;
// once per process from here is enough (the mail transport makes its own call).
void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

// The body as it arrives, up to the limit: past it the callback takes nothing, which makes
// libcurl abort the transfer (CURLE_WRITE_ERROR).
struct Sink {
  std::string body;
  size_t limit = 0;
  bool too_large = false;
};

size_t WriteBody(char* data, size_t size, size_t nmemb, void* userdata) {
  auto* sink = static_cast<Sink*>(userdata);
  size_t n = size * nmemb;
  if (n > sink->limit - sink->body.size()) {
    sink->too_large = true;
    return 0;
  }
  sink->body.append(data, n);
  return n;
}

// The addresses libcurl connects to, seen after DNS and before connect() (its
// CURLOPT_OPENSOCKETFUNCTION, called for every address it tries): a non-public one gets no
// socket. The name is never what is judged, so DNS rebinding (public when checked, private
// when used) has nothing to race. libcurl moves on to the host's next address, if any.
struct ConnectGuard {
  bool refused = false;       // an address was not public: no socket
  bool tried_public = false;  // an address was public: libcurl connected or tried to
};

curl_socket_t OpenPublicSocket(void* clientp, curlsocktype purpose, curl_sockaddr* address) {
  auto* guard = static_cast<ConnectGuard*>(clientp);
  if (purpose != CURLSOCKTYPE_IPCXN || !IsPublicAddress(&address->addr)) {
    guard->refused = true;
    return CURL_SOCKET_BAD;
  }
  guard->tried_public = true;
  return ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

// "host" or "host:port", for messages: never the path or query (codes, tokens) nor userinfo.
std::string HostOf(std::string_view url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed || !parsed->has_authority()) return "(no host)";
  std::string host(parsed->encoded_host().substr(0, 255));
  if (parsed->has_port()) host += ":" + std::string(parsed->port());
  return host;
}

bool HasLineBreakOrNul(std::string_view text) {
  return text.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

Status CheckRequest(const OutboundRequest& request) {
  if (request.method != "GET" && request.method != "POST") {
    return InvalidArgumentError("upstream request: method must be GET or POST");
  }
  auto parsed = boost::urls::parse_uri(request.url);
  if (!parsed || (parsed->scheme_id() != boost::urls::scheme::http &&
                  parsed->scheme_id() != boost::urls::scheme::https) ||
      !parsed->has_authority() || parsed->encoded_host().empty()) {
    return InvalidArgumentError("upstream request: not an http(s) URL");
  }
  // A value that came from upstream (an access token) must not split a header in two.
  for (const auto& [name, value] : request.headers) {
    if (name.empty() || name.find(':') != std::string::npos || HasLineBreakOrNul(name) ||
        HasLineBreakOrNul(value)) {
      return InvalidArgumentError("upstream request: a malformed header");
    }
  }
  return OkStatus();
}

// The failure, naming the host and libcurl's reason (its error buffer says which address or
// timeout; it never holds the body, which libcurl does not quote).
Status Failure(const std::string& host, CURLcode rc, const char* errbuf, const Sink& sink,
               const ConnectGuard& guard, const std::string& private_hosts_flag) {
  if (sink.too_large || rc == CURLE_FILESIZE_EXCEEDED) {
    return UnavailableError("upstream " + host + ": response too large");
  }
  // The host as written, not the address it resolved to: where names resolve inside the
  // operator's network is not the app developer's to learn.
  if (guard.refused && !guard.tried_public) {
    return UnavailableError("upstream " + host +
                            ": not a public address (refused; an operator may allow private "
                            "addresses with " + private_hosts_flag + ")");
  }
  std::string reason = curl_easy_strerror(rc);
  if (errbuf[0] != '\0') reason += ": " + std::string(errbuf).substr(0, 200);
  return UnavailableError("upstream " + host + ": " + reason);
}

}  // namespace

Result<OutboundResponse> CurlOutboundHttp::Send(const OutboundRequest& request) {
  TESSERA_RETURN_IF_ERROR(CheckRequest(request));
  GlobalInit();
  const std::string host = HostOf(request.url);
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) return UnavailableError("upstream " + host + ": cannot create a libcurl handle");
  std::unique_ptr<curl_slist, SlistDeleter> headers;
  auto add_header = [&headers](const std::string& line) {
    curl_slist* next = curl_slist_append(headers.get(), line.c_str());
    if (next) {
      headers.release();
      headers.reset(next);
    }
    return next != nullptr;
  };
  for (const auto& [name, value] : request.headers) {
    if (!add_header(name + ": " + value)) return UnavailableError("upstream: out of memory");
  }
  // No "Expect: 100-continue" round trip before a POST body.
  if (!add_header("Expect:")) return UnavailableError("upstream: out of memory");

  Sink sink;
  sink.limit = options_.max_response_bytes;
  char errbuf[CURL_ERROR_SIZE] = {0};
  CURL* h = curl.get();
  curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);  // a redirect is the caller's answer
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // many threads; no SIGALRM for timeouts
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, options_.connect_timeout_ms);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, options_.total_timeout_ms);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  if (!options_.user_agent.empty()) {
    curl_easy_setopt(h, CURLOPT_USERAGENT, options_.user_agent.c_str());
  }
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  // Fails early when a Content-Length already says too much; the write callback catches the rest.
  curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE,
                   static_cast<curl_off_t>(options_.max_response_bytes));
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &WriteBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
  ConnectGuard guard;
  if (!options_.allow_private_addresses) {
    curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, &OpenPublicSocket);
    curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, &guard);
  }
  if (request.method == "POST") {
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.c_str());
  } else {
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  }

  CURLcode rc = curl_easy_perform(h);
  if (rc != CURLE_OK) return Failure(host, rc, errbuf, sink, guard, options_.private_hosts_flag);
  OutboundResponse response;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &response.status);
  const char* content_type = nullptr;
  if (curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &content_type) == CURLE_OK && content_type) {
    response.content_type = content_type;
  }
  response.body = std::move(sink.body);
  return response;
}

}  // namespace tessera::services
