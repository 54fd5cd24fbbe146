// File: provider_metadata_cache.h
// What Tessera knows about each upstream OpenID provider, shared by every connector of every
// app: the discovery document ({issuer}/.well-known/openid-configuration, OpenID Connect
// Discovery 1.0 §4) and the signing keys of its JWKS, each fetched through OutboundHttp and
// kept an hour.
//
// A JWKS is fetched again when an ID token names a key it lacks (the provider rotated), but
// at most once a minute per issuer: tokens naming made-up kids cost the provider nothing
// beyond that.
// An expired entry whose refresh fails is kept in use for up to a day, so an upstream hiccup
// does not stop sign-ins. Thread-safe; the lock is never held during HTTP. At most
// `max_issuers` issuers are kept (the least recently used goes first).
#pragma once

#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "crypto/signing_key.h"
#include "outbound/outbound_http.h"

namespace tessera::services {

// The members of a discovery document Tessera uses. Endpoints are absolute https URLs (http
// only on a loopback host); "" when the document has none.
struct ProviderMetadata {
  std::string issuer;
  std::string authorization_endpoint;
  std::string token_endpoint;
  std::string userinfo_endpoint;
  std::string jwks_uri;
  std::vector<std::string> token_endpoint_auth_methods_supported;  // empty: not stated
  bool authorization_response_iss_parameter_supported = false;      // RFC 9207 §3
};

// A provider's signing keys by kid (a key without kid under "").
using ProviderKeys = std::map<std::string, crypto::SigningKey, std::less<>>;

struct ProviderMetadataCacheOptions {
  int64_t ttl_ms = 60 * 60 * 1000;            // how long a document or key set is fresh
  int64_t min_refetch_interval_ms = 60 * 1000;  // between fetches of one issuer's JWKS
  int64_t max_stale_ms = 24 * 60 * 60 * 1000;  // an expired entry kept while refreshes fail
  size_t max_issuers = 256;
  size_t max_keys = 32;  // per JWKS; the rest are ignored
};

class ProviderMetadataCache {
 public:
  ProviderMetadataCache(OutboundHttp& http, const Clock& clock,
                        ProviderMetadataCacheOptions options = {});

  // The issuer's discovery document. kUnavailable when it cannot be fetched or is unusable:
  // not JSON, its `issuer` not exactly `issuer` (§4.3), an endpoint missing or not https.
  Result<std::shared_ptr<const ProviderMetadata>> Discover(const std::string& issuer);

  // The key `kid` of the JWKS at `jwks_uri` (the issuer's, as discovered or configured).
  // Fetches the set when it is not cached or has expired, and again for a kid it lacks unless
  // such a refetch happened within the minute. kUnauthenticated when the set has no such key
  // (it may be forged); kUnavailable when the set cannot be fetched.
  Result<crypto::SigningKey> FindKey(const std::string& issuer, const std::string& jwks_uri,
                                     std::string_view kid);

  // Parses a JWKS document ({"keys": [...]}): the keys Tessera can verify with, by kid; keys of
  // other types, uses or algorithms are skipped, as are keys past `max_keys` and repeated kids.
  static Result<ProviderKeys> ParseJwks(std::string_view body, size_t max_keys);

 private:
  struct Entry {
    std::shared_ptr<const ProviderMetadata> metadata;
    UnixMillis metadata_fetched_at = 0;
    UnixMillis metadata_attempted_at = 0;
    std::string jwks_uri;  // the set below came from here
    std::shared_ptr<const ProviderKeys> keys;
    UnixMillis keys_fetched_at = 0;
    UnixMillis keys_attempted_at = 0;                 // the last fetch, whatever its outcome
    std::optional<UnixMillis> keys_refetched_at;      // the last fetch for an unknown kid
    std::list<std::string>::iterator lru;
  };

  Result<std::shared_ptr<const ProviderMetadata>> FetchMetadata(const std::string& issuer);
  Result<std::shared_ptr<const ProviderKeys>> FetchKeys(const std::string& jwks_uri);
  // The issuer's entry, made (and the least recently used one evicted) when new; under mu_.
  Entry& Touch(const std::string& issuer);
  bool Fresh(UnixMillis fetched_at, UnixMillis now) const;
  bool Usable(UnixMillis fetched_at, UnixMillis now) const;

  OutboundHttp& http_;
  const Clock& clock_;
  const ProviderMetadataCacheOptions options_;
  std::mutex mu_;
  std::map<std::string, Entry, std::less<>> entries_;
  std::list<std::string> lru_;  // most recently used first
};

}  // namespace tessera::services
