#include "federation/provider_metadata_cache.h"

#include <algorithm>
#include <boost/json.hpp>

#include "base/json_util.h"
#include "base/log.h"
#include "federation/connector_support.h"

namespace tessera::services {
namespace {
namespace json = boost::json;

constexpr size_t kMaxAuthMethods = 32;
// JWKS entries looked at, usable or not: a huge set costs bounded work.
constexpr size_t kMaxJwksEntries = 100;

// OpenID Connect Discovery §4: a terminating "/" of the issuer is not doubled.
std::string DiscoveryUrl(std::string_view issuer) {
  if (issuer.ends_with('/')) issuer.remove_suffix(1);
  return std::string(issuer) + "/.well-known/openid-configuration";
}

// A required endpoint member, or an optional one ("" when absent); bad values are refused,
// never ignored: an http token endpoint would carry codes and secrets in clear text.
Result<std::string> Endpoint(const json::object& doc, std::string_view name, bool required) {
  auto it = doc.find(name);
  if (it == doc.end() && !required) return std::string();
  if (it == doc.end() || !it->value().is_string() ||
      !IsUpstreamEndpoint(it->value().as_string())) {
    return UnavailableError("the discovery document's " + std::string(name) +
                            " is missing or not an https URL");
  }
  return std::string(it->value().as_string());
}

std::vector<std::string> StringList(const json::object& doc, std::string_view name) {
  std::vector<std::string> out;
  auto it = doc.find(name);
  if (it == doc.end() || !it->value().is_array()) return out;
  for (const auto& v : it->value().as_array()) {
    if (out.size() >= kMaxAuthMethods) break;
    if (v.is_string() && v.as_string().size() <= 64) out.emplace_back(v.as_string());
  }
  return out;
}

Result<ProviderMetadata> ParseDiscovery(std::string_view body, const std::string& issuer) {
  auto doc = ParseJsonObject(body);
  if (!doc.ok()) return UnavailableError("the discovery document is not a JSON object");
  ProviderMetadata m;
  // §4.3: the issuer it names must be exactly the one it was fetched for (mix-up defence).
  m.issuer = std::string(StringMember(*doc, "issuer"));
  if (m.issuer != issuer) return UnavailableError("the discovery document names another issuer");
  TESSERA_ASSIGN_OR_RETURN(m.authorization_endpoint,
                           Endpoint(*doc, "authorization_endpoint", true));
  TESSERA_ASSIGN_OR_RETURN(m.token_endpoint, Endpoint(*doc, "token_endpoint", true));
  TESSERA_ASSIGN_OR_RETURN(m.jwks_uri, Endpoint(*doc, "jwks_uri", true));
  TESSERA_ASSIGN_OR_RETURN(m.userinfo_endpoint, Endpoint(*doc, "userinfo_endpoint", false));
  m.token_endpoint_auth_methods_supported =
      StringList(*doc, "token_endpoint_auth_methods_supported");
  auto iss = doc->find("authorization_response_iss_parameter_supported");
  m.authorization_response_iss_parameter_supported =
      iss != doc->end() && iss->value().is_bool() && iss->value().as_bool();
  return m;
}

Status UnknownKey() {
  return UnauthenticatedError("the ID token is signed with a key the provider does not list");
}

Status WithIssuer(Status status, std::string_view issuer) {
  return Status(status.code(), status.message() + " (" + std::string(issuer) + ")");
}

}  // namespace

ProviderMetadataCache::ProviderMetadataCache(OutboundHttp& http, const Clock& clock,
                                             ProviderMetadataCacheOptions options)
    : http_(http), clock_(clock), options_(options) {}

bool ProviderMetadataCache::Fresh(UnixMillis fetched_at, UnixMillis now) const {
  return now - fetched_at < options_.ttl_ms;
}

bool ProviderMetadataCache::Usable(UnixMillis fetched_at, UnixMillis now) const {
  return now - fetched_at < options_.ttl_ms + options_.max_stale_ms;
}

ProviderMetadataCache::Entry& ProviderMetadataCache::Touch(const std::string& issuer) {
  auto it = entries_.find(issuer);
  if (it != entries_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second.lru);
    return it->second;
  }
  while (!lru_.empty() && entries_.size() >= std::max<size_t>(options_.max_issuers, 1)) {
    entries_.erase(lru_.back());
    lru_.pop_back();
  }
  lru_.push_front(issuer);
  Entry& entry = entries_[issuer];
  entry.lru = lru_.begin();
  return entry;
}

Result<std::shared_ptr<const ProviderMetadata>> ProviderMetadataCache::FetchMetadata(
    const std::string& issuer) {
  OutboundRequest request;
  request.url = DiscoveryUrl(issuer);
  if (!IsUpstreamEndpoint(request.url)) {
    return UnavailableError("the issuer is not an https URL (" + issuer + ")");
  }
  request.headers = {{"Accept", "application/json"}};
  auto response = http_.Send(request);
  if (!response.ok()) return response.status();
  if (response->status != 200) {
    return UnavailableError("the discovery document answered HTTP " +
                            std::to_string(response->status) + " (" + issuer + ")");
  }
  auto metadata = ParseDiscovery(response->body, issuer);
  if (!metadata.ok()) return WithIssuer(metadata.status(), issuer);
  return std::make_shared<const ProviderMetadata>(std::move(*metadata));
}

Result<std::shared_ptr<const ProviderMetadata>> ProviderMetadataCache::Discover(
    const std::string& issuer) {
  const UnixMillis now = clock_.NowMillis();
  std::shared_ptr<const ProviderMetadata> stale;
  {
    std::lock_guard lock(mu_);
    Entry& entry = Touch(issuer);
    if (entry.metadata && Fresh(entry.metadata_fetched_at, now)) return entry.metadata;
    if (entry.metadata && Usable(entry.metadata_fetched_at, now)) stale = entry.metadata;
    // A refresh failed a moment ago: the expired document serves until the next try.
    if (stale && now - entry.metadata_attempted_at < options_.min_refetch_interval_ms) {
      return stale;
    }
    entry.metadata_attempted_at = now;
  }
  auto fetched = FetchMetadata(issuer);
  std::lock_guard lock(mu_);
  Entry& entry = Touch(issuer);
  if (fetched.ok()) {
    entry.metadata = *fetched;
    entry.metadata_fetched_at = now;
    return *fetched;
  }
  if (!stale) return fetched.status();
  LogJson(spdlog::level::warn, "federation_discovery_stale",
          {{"issuer", issuer}, {"error", fetched.status().message()}});
  return stale;
}

Result<ProviderKeys> ProviderMetadataCache::ParseJwks(std::string_view body, size_t max_keys) {
  auto doc = ParseJsonObject(body);
  if (!doc.ok()) return UnavailableError("the JWKS is not a JSON object");
  auto keys = doc->find("keys");
  if (keys == doc->end() || !keys->value().is_array()) {
    return UnavailableError("the JWKS has no keys array");
  }
  ProviderKeys out;
  size_t seen = 0;
  for (const auto& value : keys->value().as_array()) {
    if (++seen > kMaxJwksEntries || out.size() >= max_keys) break;
    if (!value.is_object()) continue;
    auto key = crypto::SigningKey::FromPublicJwk(value.as_object());
    // Other algorithms, encryption keys: not for us, and no reason to refuse the others.
    if (!key.ok()) continue;
    std::string kid = key->kid();
    out.emplace(std::move(kid), std::move(*key));  // a repeated kid keeps its first key
  }
  if (out.empty()) return UnavailableError("the JWKS has no key Tessera can verify with");
  return out;
}

Result<std::shared_ptr<const ProviderKeys>> ProviderMetadataCache::FetchKeys(
    const std::string& jwks_uri) {
  if (!IsUpstreamEndpoint(jwks_uri)) return UnavailableError("the jwks_uri is not an https URL");
  OutboundRequest request;
  request.url = jwks_uri;
  request.headers = {{"Accept", "application/json, application/jwk-set+json"}};
  auto response = http_.Send(request);
  if (!response.ok()) return response.status();
  if (response->status != 200) {
    return UnavailableError("the JWKS answered HTTP " + std::to_string(response->status));
  }
  auto keys = ParseJwks(response->body, options_.max_keys);
  if (!keys.ok()) return keys.status();
  return std::make_shared<const ProviderKeys>(std::move(*keys));
}

Result<crypto::SigningKey> ProviderMetadataCache::FindKey(const std::string& issuer,
                                                          const std::string& jwks_uri,
                                                          std::string_view kid) {
  const UnixMillis now = clock_.NowMillis();
  std::shared_ptr<const ProviderKeys> keys;
  {
    std::lock_guard lock(mu_);
    Entry& entry = Touch(issuer);
    if (entry.keys && entry.jwks_uri == jwks_uri && Usable(entry.keys_fetched_at, now)) {
      keys = entry.keys;
    }
    const bool fresh = keys && Fresh(entry.keys_fetched_at, now);
    // A refresh of an expired set failed a moment ago: the set serves until the next try.
    const bool retry_later =
        keys && !fresh && now - entry.keys_attempted_at < options_.min_refetch_interval_ms;
    auto known = keys ? keys->find(kid) : ProviderKeys::const_iterator();
    if ((fresh || retry_later) && known != keys->end()) return known->second;
    if (retry_later) return UnknownKey();
    if (fresh) {
      // A kid the fresh set lacks: the provider may have rotated, or the token is forged. One
      // refetch a minute, whatever the kids — made-up kids must not make us hammer it.
      if (entry.keys_refetched_at &&
          now - *entry.keys_refetched_at < options_.min_refetch_interval_ms) {
        return UnknownKey();
      }
      entry.keys_refetched_at = now;
    }
    entry.keys_attempted_at = now;
  }
  auto fetched = FetchKeys(jwks_uri);
  {
    std::lock_guard lock(mu_);
    Entry& entry = Touch(issuer);
    if (fetched.ok()) {
      entry.jwks_uri = jwks_uri;
      entry.keys = *fetched;
      entry.keys_fetched_at = now;
      keys = *fetched;
    } else if (!keys) {
      return WithIssuer(fetched.status(), issuer);
    }
  }
  if (!fetched.ok()) {
    LogJson(spdlog::level::warn, "federation_jwks_fetch_failed",
            {{"issuer", issuer}, {"error", fetched.status().message()}});
  }
  if (auto it = keys->find(kid); it != keys->end()) return it->second;
  return UnknownKey();
}

}  // namespace tessera::services
