#include "services/app_service.h"

#include <boost/json.hpp>

#include <set>

#include "crypto/random.h"

namespace tessera::services {
namespace {

constexpr int64_t kCacheMs = 5000;
constexpr size_t kMaxCached = 10000;  // bounded: unknown slugs are not cached at all

// {"changed":[names of the top-level settings that differ]} (values are not recorded).
std::string SettingsChange(const std::string& before, const std::string& after) {
  namespace json = boost::json;
  boost::system::error_code ec1, ec2;
  json::value a = json::parse(before, ec1), b = json::parse(after, ec2);
  json::array changed;
  if (!ec1 && !ec2 && a.is_object() && b.is_object()) {
    std::set<std::string> keys;
    for (const auto& kv : a.as_object()) keys.insert(std::string(kv.key()));
    for (const auto& kv : b.as_object()) keys.insert(std::string(kv.key()));
    for (const auto& k : keys) {
      const json::value* x = a.as_object().if_contains(k);
      const json::value* y = b.as_object().if_contains(k);
      if (!x || !y || *x != *y) changed.emplace_back(k);
    }
  }
  return json::serialize(json::object{{"changed", std::move(changed)}});
}

}  // namespace

bool IsValidSlug(std::string_view slug) {
  if (slug.empty() || slug.size() > 63 || slug.front() == '-') return false;
  return std::all_of(slug.begin(), slug.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

Result<store::App> AppService::Resolve(std::string_view slug) {
  if (!IsValidSlug(slug)) return NotFoundError("no such app");
  int64_t now = clock_.NowMillis();
  {
    std::lock_guard lock(mu_);
    auto it = cache_.find(std::string(slug));
    if (it != cache_.end() && now - it->second.loaded_at_ms < kCacheMs) {
      if (it->second.app.disabled) return NotFoundError("no such app");
      return it->second.app;
    }
  }
  auto app = store_.GetAppBySlug(slug);
  if (app.status().IsNotFound()) return NotFoundError("no such app");
  if (!app.ok()) return app.status();
  {
    std::lock_guard lock(mu_);
    if (cache_.size() >= kMaxCached) cache_.clear();
    cache_[std::string(slug)] = Cached{*app, now};
  }
  if (app->disabled) return NotFoundError("no such app");
  return app;
}

Result<store::App> AppService::Create(std::string_view slug, std::string_view name) {
  if (!IsValidSlug(slug)) {
    return ValidationError({{"slug", "must be 1-63 of a-z, 0-9 and '-', not starting with '-'"}});
  }
  if (name.empty() || name.size() > 200) {
    return ValidationError({{"name", "must be 1-200 characters"}});
  }
  store::App app{crypto::NewUuid(), std::string(slug), std::string(name), false, "{}",
                 clock_.NowMillis()};
  Status s = store_.CreateApp(app);
  if (s.IsAlreadyExists()) {
    return AlreadyExistsError("an app with this slug exists").WithFieldErrors(
        {{"slug", "is already taken"}});
  }
  TESSERA_RETURN_IF_ERROR(s);
  // The operator (CLI) or the server itself (the default app at first start).
  Audit(audit_, {.app_id = app.id,
                 .action = "app.created",
                 .actor_type = slug == kDefaultAppSlug ? "system" : "admin",
                 .subject_type = "app",
                 .subject_id = app.id,
                 .details_json = boost::json::serialize(boost::json::object{{"slug", app.slug}})});
  return app;
}

Result<store::App> AppService::UpdateSettings(std::string_view slug, const AppSettings& settings) {
  TESSERA_ASSIGN_OR_RETURN(store::App app, store_.GetAppBySlug(slug));
  std::string before = app.settings_json;
  app.settings_json = SerializeAppSettings(settings);
  TESSERA_RETURN_IF_ERROR(store_.UpdateAppSettings(app.id, app.settings_json));
  Audit(audit_, {.app_id = app.id,
                 .action = "app.settings_changed",
                 .actor_type = "admin",
                 .actor_id = "cli",
                 .subject_type = "app",
                 .subject_id = app.id,
                 .details_json = SettingsChange(before, app.settings_json)});
  std::lock_guard lock(mu_);
  cache_.erase(std::string(slug));
  return app;
}

Status AppService::EnsureDefaultApp() {
  auto app = store_.GetAppBySlug(kDefaultAppSlug);
  if (app.ok()) return OkStatus();
  if (!app.status().IsNotFound()) return app.status();
  auto created = Create(kDefaultAppSlug, "Default app");
  if (!created.ok() && !created.status().IsAlreadyExists()) return created.status();
  return OkStatus();  // created now, or by a node that started at the same time
}

std::string AppService::IssuerFor(std::string_view slug) const {
  return public_url_ + "/apps/" + std::string(slug);
}

}  // namespace tessera::services
