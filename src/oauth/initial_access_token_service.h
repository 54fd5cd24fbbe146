// File: initial_access_token_service.h
// Initial access tokens (RFC 7591 §3): what an app's developer hands to the software that may
// register its own OAuth clients at {issuer}/oauth/register (dynamic_client_registration.h).
// 256-bit random (tiat_…), shown once at creation, stored as SHA-256, listed by prefix and
// name with their expiry and last use, revocable; each good for any number of registrations
// (the app's client limit still holds) until it expires or is revoked.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/audit_log.h"
#include "base/clock.h"
#include "base/result.h"
#include "oauth/oauth_records.h"
#include "oauth/oauth_store.h"
#include "tenancy/tenancy_records.h"

namespace tessera::services {

inline constexpr std::string_view kInitialAccessTokenPrefix = "tiat_";
inline constexpr size_t kMaxInitialAccessTokensPerApp = 50;
inline constexpr int64_t kMaxInitialAccessTokenDays = 3650;

struct CreatedInitialAccessToken {
  store::InitialAccessToken record;
  std::string token;  // the secret: returned once, never stored
};

class InitialAccessTokenService {
 public:
  InitialAccessTokenService(store::InitialAccessTokenStore& store, const Clock& clock,
                            AuditLog* audit = nullptr)
      : store_(store), clock_(clock), audit_(audit) {}

  // kInvalidArgument (field "name": 1-100 characters; field "expires_in_days": 1 to
  // kMaxInitialAccessTokenDays, or nullopt for no expiry); kFailedPrecondition past
  // kMaxInitialAccessTokensPerApp tokens not revoked.
  Result<CreatedInitialAccessToken> Create(const store::App& app, std::string_view name,
                                           std::optional<int64_t> expires_in_days,
                                           const Actor& actor);
  // Not revoked, newest first (expired ones too, marked by expires_at).
  Result<std::vector<store::InitialAccessToken>> List(const store::App& app);
  // kNotFound unless it is a token of the app not revoked yet.
  Status Revoke(const store::App& app, std::string_view id, const Actor& actor);
  // The live token `token` of the app; kUnauthenticated for a malformed, unknown, other app's,
  // expired or revoked one. Records last use at most once a minute.
  Result<store::InitialAccessToken> Check(const store::App& app, std::string_view token);

 private:
  store::InitialAccessTokenStore& store_;
  const Clock& clock_;
  AuditLog* audit_;  // may be null
};

}  // namespace tessera::services
