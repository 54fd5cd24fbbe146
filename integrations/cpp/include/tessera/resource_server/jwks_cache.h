// File: jwks_cache.h
// The signing keys of a Tessera app, fetched from `{issuer}/.well-known/jwks.json` with
// libcurl and kept for a while.
//
// - Keys are kept `max_age` (300 s by default: Tessera's JWKS says Cache-Control max-age=300,
//   and a rotated key is published longer than that before it signs). After that the next
//   lookup fetches the set again.
// - A token naming a kid the cached set lacks makes the cache fetch again at once — but at most
//   once per `min_refetch_interval` (any fetch counts), so tokens with made-up kids cannot make
//   the server hammer Tessera.
// - One fetch at a time: concurrent lookups that need a fetch wait for the one in flight.
// - A failed fetch keeps the last good set, usable up to `max_stale` past its max_age (Tessera
//   keeps a replaced key published for days, so an outage of the JWKS endpoint does not lock
//   everybody out at once).
// - The fetch has connect and total timeouts and a response size limit, follows no redirects,
//   and speaks only http and https; plain http is accepted only for a loopback host unless
//   `allow_insecure_http`.
//
// Thread-safe. A lookup that fetches blocks its thread for up to `request_timeout`.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <condition_variable>
#include <optional>
#include <string>
#include <vector>

#include "tessera/resource_server/key_source.h"

namespace tessera::resource_server {

struct JwksCacheOptions {
  std::string jwks_url;  // e.g. JwksCache::UrlForIssuer("https://id.example.com/apps/blog")
  std::chrono::seconds max_age{300};
  std::chrono::seconds min_refetch_interval{30};
  std::chrono::seconds max_stale{3600};
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds request_timeout{5000};
  std::size_t max_response_bytes = 256 * 1024;
  std::size_t max_keys = 64;
  bool allow_insecure_http = false;  // http:// to a host that is not loopback
  std::string ca_file;               // CA bundle for https (default: the system's)
  // The time source (tests move it on); default std::chrono::steady_clock::now.
  std::function<std::chrono::steady_clock::time_point()> clock;
};

class JwksCache final : public KeySource {
 public:
  // Throws std::invalid_argument for a URL that is not http(s), or plain http to a host that
  // is not loopback without allow_insecure_http.
  explicit JwksCache(JwksCacheOptions options);

  // `{issuer}/.well-known/jwks.json` (a trailing slash of the issuer is dropped).
  static std::string UrlForIssuer(std::string_view issuer);

  KeyLookup Find(std::string_view kid, Algorithm alg) override;

  // Fetches the key set now (no rate limit); false and *error when that failed (the last good
  // set stays). For start-up: a server may refuse to start without keys.
  bool Refresh(std::string* error = nullptr);

  struct Stats {
    std::uint64_t fetches = 0;   // attempts
    std::uint64_t failures = 0;  // attempts that failed
    std::size_t keys = 0;        // keys in the current set
    std::string last_error;
  };
  Stats stats() const;

 private:
  struct FetchResult {
    std::optional<std::vector<std::shared_ptr<const PublicKey>>> keys;
    std::string error;
  };
  FetchResult Fetch() const;
  std::chrono::steady_clock::time_point Now() const;
  // With mu_ held: runs one fetch (mu_ released meanwhile) and publishes its result.
  void FetchLocked(std::unique_lock<std::mutex>& lock);
  bool UsableLocked(std::chrono::steady_clock::time_point now) const;

  JwksCacheOptions options_;
  mutable std::mutex mu_;
  std::condition_variable fetched_;
  bool fetching_ = false;
  std::vector<std::shared_ptr<const PublicKey>> keys_;
  std::optional<std::chrono::steady_clock::time_point> fetched_at_;   // last good fetch
  std::optional<std::chrono::steady_clock::time_point> attempted_at_;  // last attempt
  Stats stats_;
};

}  // namespace tessera::resource_server
