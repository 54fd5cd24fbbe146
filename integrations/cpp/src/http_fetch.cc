#include "http_fetch.h"

#include <curl/curl.h>

#include <cctype>
#include <memory>
#include <mutex>
#include <stdexcept>

namespace tessera::resource_server::internal {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The scheme and host of an absolute URL (enough to check it; libcurl parses it for real).
bool SchemeAndHost(std::string_view url, std::string* scheme, std::string* host) {
  size_t colon = url.find("://");
  if (colon == std::string_view::npos) return false;
  *scheme = Lower(url.substr(0, colon));
  std::string_view rest = url.substr(colon + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (size_t at = rest.rfind('@'); at != std::string_view::npos) rest = rest.substr(at + 1);
  if (!rest.empty() && rest.front() == '[') {
    size_t close = rest.find(']');
    if (close == std::string_view::npos) return false;
    *host = Lower(rest.substr(0, close + 1));
  } else {
    *host = Lower(rest.substr(0, rest.find(':')));
  }
  return !host->empty();
}

// localhost, [::1] or an IPv4 literal in 127.0.0.0/8.
bool IsLoopback(const std::string& host) {
  if (host == "localhost" || host == "[::1]") return true;
  if (host.rfind("127.", 0) != 0) return false;
  int dots = 0;
  for (char c : host) {
    if (c == '.') {
      ++dots;
    } else if (!std::isdigit(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return dots == 3;
}

struct Body {
  std::string data;
  std::size_t limit;
  bool too_large = false;
};

size_t Write(char* ptr, size_t size, size_t n, void* user) {
  auto* body = static_cast<Body*>(user);
  size_t len = size * n;
  if (body->data.size() + len > body->limit) {
    body->too_large = true;
    return 0;  // aborts the transfer
  }
  body->data.append(ptr, len);
  return len;
}

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct CurlFree {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistFree {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

}  // namespace

void CheckHttpUrl(std::string_view who, const std::string& url, bool allow_insecure_http) {
  std::string scheme, host;
  if (!SchemeAndHost(url, &scheme, &host) || (scheme != "https" && scheme != "http")) {
    throw std::invalid_argument(std::string(who) + ": the URL must be an http(s) URL: " + url);
  }
  if (scheme == "http" && !IsLoopback(host) && !allow_insecure_http) {
    throw std::invalid_argument(std::string(who) +
                                ": plain http only to a loopback host (or set allow_insecure_http): " + url);
  }
  // curl_global_init early, from the constructor of the user (usually before its threads).
  GlobalInit();
}

FetchAnswer Fetch(const std::string& url, const FetchOptions& options,
                  const std::vector<std::string>& headers, const std::string* post_body) {
  FetchAnswer out;
  GlobalInit();
  std::unique_ptr<CURL, CurlFree> curl(curl_easy_init());
  if (!curl) {
    out.error = "libcurl could not start a request";
    return out;
  }
  Body body{{}, options.max_response_bytes};
  char curl_error[CURL_ERROR_SIZE] = {0};
  curl_slist* list = nullptr;
  std::unique_ptr<curl_slist, SlistFree> header_list;
  for (const std::string& h : headers) {
    curl_slist* grown = curl_slist_append(list, h.c_str());
    if (!grown) {
      out.error = "libcurl could not hold the request headers";
      curl_slist_free_all(list);
      return out;
    }
    list = grown;
  }
  header_list.reset(list);
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // no SIGALRM: safe in threads
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.connect_timeout.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(options.request_timeout.count()));
  curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options.max_response_bytes));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &Write);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, header_list.get());
  curl_easy_setopt(c, CURLOPT_USERAGENT, "tessera-resource-server/0.1");
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_error);
  if (post_body) {
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, post_body->c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(post_body->size()));
  }
  if (!options.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, options.ca_file.c_str());
  CURLcode rc = curl_easy_perform(c);
  if (body.too_large || rc == CURLE_FILESIZE_EXCEEDED) {
    out.too_large = true;
    out.error = "the answer is larger than " + std::to_string(options.max_response_bytes) + " bytes";
    return out;
  }
  if (rc != CURLE_OK) {
    out.error = curl_error[0] ? std::string(curl_error) : std::string(curl_easy_strerror(rc));
    return out;
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out.status);
  out.done = true;
  out.body = std::move(body.data);
  return out;
}

}  // namespace tessera::resource_server::internal
