// File: api_token_service.h
// Personal API tokens for scripts and mobile apps: 256-bit random, shown once at creation,
// stored as a SHA-256 hash, listed by prefix, optionally expiring, revocable. Accepted as
// `Authorization: Bearer tpat_…` and `Authorization: Token tpat_…` (Django REST framework's scheme).
// Keys imported from DRF (`tessera import django`) are records of the same kind.
#pragma once

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "audit/audit_log.h"
#include "tenancy/tenancy_records.h"
#include "tokens/token_records.h"
#include "tokens/token_store.h"

namespace tessera::services {

inline constexpr std::string_view kApiTokenPrefix = "tpat_";
inline constexpr size_t kMaxApiTokensPerUser = 100;

// Whether `token` has the shape of an API token: Tessera's (tpat_…), or a key imported from
// another system (user_import/), kept the same way.
bool LooksLikeApiToken(std::string_view token);
// A token key another system made that an import can carry over: 32-128 characters of
// [A-Za-z0-9_-], which covers Django REST framework's keys (40 hexadecimal characters), hex
// keys of custom token models (`secrets.token_hex`) and URL-safe ones (`secrets.token_urlsafe`).
// Shorter keys are refused: too few characters to be a secret. No dot, so never a JWT.
// Inline: the import's readers use it in the fuzz build, which has no tokens/ sources.
inline bool IsImportedTokenKey(std::string_view key) {
  return key.size() >= 32 && key.size() <= 128 &&
         std::all_of(key.begin(), key.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  c == '_' || c == '-';
         });
}

struct CreatedApiToken {
  store::ApiToken record;
  std::string token;  // the secret: returned once, never stored
};

class ApiTokenService {
 public:
  ApiTokenService(store::ApiTokenStore& store, const Clock& clock, AuditLog* audit = nullptr)
      : store_(store), clock_(clock), audit_(audit) {}

  Result<CreatedApiToken> Create(const store::App& app, std::string_view user_id,
                                 std::string_view name, std::optional<int64_t> expires_in_days);
  Result<std::vector<store::ApiToken>> List(const store::App& app, std::string_view user_id);
  Status Revoke(const store::App& app, std::string_view user_id, std::string_view token_id);
  // Revokes every live token of the user (logout-all, a password change or reset: issue 11,
  // item 3), each recorded as api_token.revoked with `reason`; returns how many.
  Result<int64_t> RevokeAll(const store::App& app, std::string_view user_id,
                            std::string_view reason);
  // The token's record if it is live and belongs to `app`; kUnauthenticated otherwise.
  Result<store::ApiToken> Authenticate(const store::App& app, std::string_view token);

 private:
  store::ApiTokenStore& store_;
  const Clock& clock_;
  AuditLog* audit_;  // may be null
};

}  // namespace tessera::services
