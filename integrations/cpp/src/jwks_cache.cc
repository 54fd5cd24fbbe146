#include "tessera/resource_server/jwks_cache.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "printable.h"

namespace tessera::resource_server {
namespace {

using Clock = std::chrono::steady_clock;

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

JwksCache::JwksCache(JwksCacheOptions options) : options_(std::move(options)) {
  std::string scheme, host;
  if (!SchemeAndHost(options_.jwks_url, &scheme, &host) || (scheme != "https" && scheme != "http")) {
    throw std::invalid_argument("JwksCache: the JWKS URL must be an http(s) URL: " + options_.jwks_url);
  }
  if (scheme == "http" && !IsLoopback(host) && !options_.allow_insecure_http) {
    throw std::invalid_argument("JwksCache: plain http only to a loopback host (or set "
                                "allow_insecure_http): " + options_.jwks_url);
  }
  if (options_.max_response_bytes == 0 || options_.max_keys == 0) {
    throw std::invalid_argument("JwksCache: max_response_bytes and max_keys must be positive");
  }
  GlobalInit();
}

std::string JwksCache::UrlForIssuer(std::string_view issuer) {
  while (!issuer.empty() && issuer.back() == '/') issuer.remove_suffix(1);
  return std::string(issuer) + "/.well-known/jwks.json";
}

Clock::time_point JwksCache::Now() const { return options_.clock ? options_.clock() : Clock::now(); }

JwksCache::FetchResult JwksCache::Fetch() const {
  FetchResult out;
  std::unique_ptr<CURL, CurlFree> curl(curl_easy_init());
  if (!curl) {
    out.error = "libcurl could not start a request";
    return out;
  }
  Body body{{}, options_.max_response_bytes};
  char curl_error[CURL_ERROR_SIZE] = {0};
  std::unique_ptr<curl_slist, SlistFree> headers(
      curl_slist_append(nullptr, "Accept: application/jwk-set+json, application/json"));
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, options_.jwks_url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // no SIGALRM: safe in threads
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.request_timeout.count()));
  curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options_.max_response_bytes));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &Write);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_USERAGENT, "tessera-resource-server/0.1");
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_error);
  if (!options_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, options_.ca_file.c_str());
  CURLcode rc = curl_easy_perform(c);
  if (body.too_large || rc == CURLE_FILESIZE_EXCEEDED) {
    out.error = "the JWKS is larger than " + std::to_string(options_.max_response_bytes) + " bytes";
    return out;
  }
  if (rc != CURLE_OK) {
    out.error = "fetching " + options_.jwks_url + " failed: " +
                (curl_error[0] ? std::string(curl_error) : std::string(curl_easy_strerror(rc)));
    return out;
  }
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  if (status != 200) {
    out.error = "fetching " + options_.jwks_url + " answered HTTP " + std::to_string(status);
    return out;
  }
  std::string error;
  auto keys = ParseJwks(body.data, options_.max_keys, &error);
  if (!keys) {
    out.error = error;
    return out;
  }
  if (keys->empty()) {
    out.error = "the JWKS at " + options_.jwks_url + " has no usable key";
    return out;
  }
  out.keys = std::move(keys);
  return out;
}

void JwksCache::FetchLocked(std::unique_lock<std::mutex>& lock) {
  fetching_ = true;
  attempted_at_ = Now();
  ++stats_.fetches;
  lock.unlock();
  FetchResult r;
  try {
    r = Fetch();
  } catch (const std::exception& e) {  // std::bad_alloc and the like
    r.error = e.what();
  }
  lock.lock();
  if (r.keys) {
    keys_ = std::move(*r.keys);
    fetched_at_ = Now();
    stats_.last_error.clear();
  } else {
    ++stats_.failures;
    stats_.last_error = r.error;
  }
  stats_.keys = keys_.size();
  fetching_ = false;
  fetched_.notify_all();
}

bool JwksCache::UsableLocked(Clock::time_point now) const {
  return fetched_at_ && now < *fetched_at_ + options_.max_age + options_.max_stale;
}

KeyLookup JwksCache::Find(std::string_view kid, Algorithm alg) {
  std::unique_lock<std::mutex> lock(mu_);
  bool waited = false;
  for (;;) {
    Clock::time_point now = Now();
    bool fresh = fetched_at_ && now < *fetched_at_ + options_.max_age;
    std::shared_ptr<const PublicKey> key = UsableLocked(now) ? FindKey(keys_, kid, alg) : nullptr;
    if (key && (fresh || waited)) return {KeyLookup::Outcome::kFound, key, {}};
    if (fetching_) {
      // Another thread is fetching: its result is ours too.
      fetched_.wait(lock, [this] { return !fetching_; });
      waited = true;
      continue;
    }
    bool may_fetch = !waited && (!attempted_at_ || now - *attempted_at_ >= options_.min_refetch_interval);
    if (may_fetch) {
      FetchLocked(lock);
      waited = true;
      continue;
    }
    // Rate-limited (or just fetched): answer from what there is, stale keys included.
    if (key) return {KeyLookup::Outcome::kFound, key, {}};
    if (!UsableLocked(now)) {
      return {KeyLookup::Outcome::kUnavailable, nullptr,
              stats_.last_error.empty() ? "no key set fetched yet" : stats_.last_error};
    }
    return {KeyLookup::Outcome::kUnknownKey, nullptr,
            "no key \"" + internal::Printable(kid) + "\" for " + std::string(AlgorithmName(alg)) +
                " in the issuer's key set"};
  }
}

bool JwksCache::Refresh(std::string* error) {
  std::unique_lock<std::mutex> lock(mu_);
  if (fetching_) fetched_.wait(lock, [this] { return !fetching_; });
  uint64_t failures = stats_.failures;
  FetchLocked(lock);
  bool ok = stats_.failures == failures;
  if (!ok && error) *error = stats_.last_error;
  return ok;
}

JwksCache::Stats JwksCache::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

}  // namespace tessera::resource_server
