#include "tessera/resource_server/jwks_cache.h"

#include <stdexcept>

#include "http_fetch.h"
#include "printable.h"

namespace tessera::resource_server {
using Clock = std::chrono::steady_clock;

JwksCache::JwksCache(JwksCacheOptions options) : options_(std::move(options)) {
  internal::CheckHttpUrl("JwksCache", options_.jwks_url, options_.allow_insecure_http);
  if (options_.max_response_bytes == 0 || options_.max_keys == 0) {
    throw std::invalid_argument("JwksCache: max_response_bytes and max_keys must be positive");
  }
}

std::string JwksCache::UrlForIssuer(std::string_view issuer) {
  while (!issuer.empty() && issuer.back() == '/') issuer.remove_suffix(1);
  return std::string(issuer) + "/.well-known/jwks.json";
}

Clock::time_point JwksCache::Now() const { return options_.clock ? options_.clock() : Clock::now(); }

JwksCache::FetchResult JwksCache::Fetch() const {
  FetchResult out;
  internal::FetchOptions fetch;
  fetch.connect_timeout = options_.connect_timeout;
  fetch.request_timeout = options_.request_timeout;
  fetch.max_response_bytes = options_.max_response_bytes;
  fetch.ca_file = options_.ca_file;
  internal::FetchAnswer answer = internal::Fetch(
      options_.jwks_url, fetch, {"Accept: application/jwk-set+json, application/json"});
  if (answer.too_large) {
    out.error = "the JWKS is larger than " + std::to_string(options_.max_response_bytes) + " bytes";
    return out;
  }
  if (!answer.done) {
    out.error = "fetching " + options_.jwks_url + " failed: " + answer.error;
    return out;
  }
  if (answer.status != 200) {
    out.error = "fetching " + options_.jwks_url + " answered HTTP " + std::to_string(answer.status);
    return out;
  }
  std::string error;
  auto keys = ParseJwks(answer.body, options_.max_keys, &error);
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
