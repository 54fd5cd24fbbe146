// File: app_service.h
// Apps (tenants): each has its own users, tokens and issuer `{PUBLIC_URL}/apps/{slug}`.
// Lookups by slug are cached for a few seconds: every request resolves its app, and apps
// change rarely. A change is published as a change notice (base/change_notices.h), so every
// node drops its copy at once; the lifetime bounds what a lost notice costs.
#pragma once

#include <functional>
#include <mutex>
#include <optional>
#include <vector>
#include <string>
#include <unordered_map>

#include "base/change_notices.h"
#include "base/clock.h"
#include "base/result.h"
#include "audit/audit_log.h"
#include "tenancy/app_settings_validation.h"
#include "tenancy/tenancy_records.h"
#include "tenancy/tenancy_store.h"

namespace tessera::services {

inline constexpr std::string_view kDefaultAppSlug = "default";
// The developer console's own app (services/developer_console_service.h).
inline constexpr std::string_view kConsoleAppSlug = "console";

class AppService {
 public:
  AppService(store::AppStore& store, const Clock& clock, std::string public_url,
             AuditLog* audit = nullptr)
      : store_(store), clock_(clock), public_url_(std::move(public_url)), audit_(audit) {}
  // From now on this node's changes are published through `notices` and the others' drop
  // this node's copies (at start, before the notices flow).
  void FollowChanges(ChangeNotices& notices);

  // kNotFound for unknown and disabled apps alike.
  Result<store::App> Resolve(std::string_view slug);
  // Any app, disabled or not, uncached (the consoles); kNotFound when there is none.
  Result<store::App> Find(std::string_view slug);
  Result<std::vector<store::App>> ListAll();
  Result<store::App> Create(std::string_view slug, std::string_view name, const Actor& actor);
  Result<store::App> Create(std::string_view slug, std::string_view name) {
    return Create(slug, name, CliActor());
  }
  // Create, with `owner_user_id` (a console user) as its owner, in one store transaction.
  Result<store::App> CreateOwned(std::string_view slug, std::string_view name,
                                 std::string_view owner_user_id, const Actor& actor);
  // Creates the app unless it exists (the default and console apps at start).
  Status EnsureApp(std::string_view slug, std::string_view name);
  Status EnsureDefaultApp() { return EnsureApp(kDefaultAppSlug, "Default app"); }
  // Replaces the app's settings (validated: tenancy/app_settings_validation.h) and, when given, its
  // name; every node sees them at its next request.
  Result<store::App> Update(std::string_view slug, const std::optional<std::string>& name,
                            const std::optional<store::AppSettings>& settings, const Actor& actor);
  // Update, where `edit` changes the settings as stored, inside the update's transaction (so
  // concurrent edits of different settings all persist); the result is validated there too.
  using SettingsEdit = std::function<void(store::AppSettings&)>;
  Result<store::App> Edit(std::string_view slug, const std::optional<std::string>& name,
                          const SettingsEdit& edit, const Actor& actor);
  Result<store::App> UpdateSettings(std::string_view slug, const store::AppSettings& settings) {
    return Update(slug, std::nullopt, settings, CliActor());
  }
  // An operator's switch: a disabled app answers 404 on every node from its next request.
  // The console app cannot be disabled (nobody could sign in to undo it).
  Result<store::App> SetDisabled(std::string_view slug, bool disabled, const Actor& actor);
  std::string IssuerFor(std::string_view slug) const;
  const std::string& public_url() const { return public_url_; }

 private:
  void Changed(std::string_view slug);  // after a write: every node drops its copy
  void Forget(std::string_view slug);   // a notice: "" drops every copy
  Result<store::App> CreateApp(std::string_view slug, std::string_view name,
                               const std::optional<std::string>& owner_user_id, const Actor& actor);
  static Status CheckName(std::string_view name);

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
  // Bumped by every Forget: a read that began before it may hold the old row and is not
  // cached (the notice may have come between the read and the insert).
  uint64_t generation_ = 0;  // GUARDED_BY(mu_)
  ChangeNotices* notices_ = nullptr;
};

// Slugs: 1–63 of a-z, 0-9 and '-', starting with a letter or digit (safe in URLs and logs).
bool IsValidSlug(std::string_view slug);
// A slug made from an app's name, for a form that leaves the slug blank: lowercase ASCII
// letters and digits, every other run of characters one '-' ("Acme Notes!" → "acme-notes"),
// at most 50 characters (room for a "-2" when taken); "app" when nothing is left.
std::string SlugFromName(std::string_view name);

}  // namespace tessera::services
