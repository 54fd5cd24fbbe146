// File: app_api_key_service.h
// Secret keys of an app's backend for the server-to-server API: 256-bit random, shown once
// at creation, stored as SHA-256, listed by prefix and name with when each was last used,
// revocable. Sent as `Authorization: Bearer tsk_…`. A key belongs to one app only.
#pragma once

#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "audit/audit_log.h"
#include "tenancy/tenancy_records.h"
#include "tenancy/tenancy_store.h"

namespace tessera::services {

inline constexpr std::string_view kAppApiKeyPrefix = "tsk_";
inline constexpr size_t kMaxApiKeysPerApp = 50;

struct CreatedAppApiKey {
  store::AppApiKey record;
  std::string key;  // the secret: returned once, never stored
};

class AppApiKeyService {
 public:
  AppApiKeyService(store::AppApiKeyStore& store, const Clock& clock, AuditLog* audit = nullptr)
      : store_(store), clock_(clock), audit_(audit) {}

  // kInvalidArgument (field "name") for a name of 0 or more than 100 characters;
  // kFailedPrecondition past kMaxApiKeysPerApp live keys.
  Result<CreatedAppApiKey> Create(const store::App& app, std::string_view name,
                                  const Actor& actor);
  Result<std::vector<store::AppApiKey>> List(const store::App& app);
  // kNotFound unless it is a live key of the app.
  Status Revoke(const store::App& app, std::string_view key_id, const Actor& actor);
  // The live key of an `Authorization: Bearer tsk_…` header, whatever its app (the caller
  // compares apps); kUnauthenticated for a missing, malformed, unknown or revoked key.
  // Records last use at most once a minute per key.
  Result<store::AppApiKey> Authenticate(std::string_view authorization);

 private:
  store::AppApiKeyStore& store_;
  const Clock& clock_;
  AuditLog* audit_;  // may be null
};

}  // namespace tessera::services
