// File: app_service.h
// Apps (tenants): each has its own users, tokens and issuer `{PUBLIC_URL}/apps/{slug}`.
// Lookups by slug are cached for a few seconds: every request resolves its app, and apps
// change rarely (a disabled app stops answering within the cache lifetime on every node).
#pragma once

#include <mutex>
#include <string>
#include <unordered_map>

#include "base/clock.h"
#include "base/result.h"
#include "services/audit_log.h"
#include "services/app_settings.h"
#include "store/store.h"

namespace tessera::services {

inline constexpr std::string_view kDefaultAppSlug = "default";

class AppService {
 public:
  AppService(store::AppStore& store, const Clock& clock, std::string public_url,
             AuditLog* audit = nullptr)
      : store_(store), clock_(clock), public_url_(std::move(public_url)), audit_(audit) {}

  // kNotFound for unknown and disabled apps alike.
  Result<store::App> Resolve(std::string_view slug);
  Result<store::App> Create(std::string_view slug, std::string_view name);
  Status EnsureDefaultApp();
  // Replaces the app's settings (services/app_settings.h); other nodes see them within the
  // cache lifetime.
  Result<store::App> UpdateSettings(std::string_view slug, const AppSettings& settings);
  std::string IssuerFor(std::string_view slug) const;
  const std::string& public_url() const { return public_url_; }

 private:
  struct Cached {
    store::App app;
    int64_t loaded_at_ms;
  };
  store::AppStore& store_;
  const Clock& clock_;
  std::string public_url_;
  AuditLog* audit_;  // may be null
  std::mutex mu_;
  std::unordered_map<std::string, Cached> cache_;  // GUARDED_BY(mu_)
};

// Slugs: 1–63 of a-z, 0-9 and '-', starting with a letter or digit (safe in URLs and logs).
bool IsValidSlug(std::string_view slug);

}  // namespace tessera::services
