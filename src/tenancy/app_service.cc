#include "tenancy/app_service.h"

#include <boost/json.hpp>

#include <set>

#include "crypto/random.h"
#include "base/utf8.h"

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

std::string SlugFromName(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      out += c;
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
    if (out.size() >= 50) break;
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.empty() ? "app" : out;
}

void AppService::FollowChanges(ChangeNotices& notices) {
  notices_ = &notices;
  notices.Subscribe(ChangeTopic::kApp, [this](std::string_view slug) { Forget(slug); });
}

Result<store::App> AppService::Resolve(std::string_view slug) {
  if (!IsValidSlug(slug)) return NotFoundError("no such app");
  int64_t now = clock_.NowMillis();
  uint64_t generation;
  {
    std::lock_guard lock(mu_);
    generation = generation_;
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
    if (generation == generation_) {
      if (cache_.size() >= kMaxCached) cache_.clear();
      cache_[std::string(slug)] = Cached{*app, now};
    }
  }
  if (app->disabled) return NotFoundError("no such app");
  return app;
}

Result<store::App> AppService::Find(std::string_view slug) {
  if (!IsValidSlug(slug)) return NotFoundError("no such app");
  auto app = store_.GetAppBySlug(slug);
  if (app.status().IsNotFound()) return NotFoundError("no such app");
  return app;
}

Result<std::vector<store::App>> AppService::ListAll() { return store_.ListApps(); }

Result<store::App> AppService::Create(std::string_view slug, std::string_view name,
                                      const Actor& actor) {
  return CreateApp(slug, name, std::nullopt, actor);
}

Result<store::App> AppService::CreateOwned(std::string_view slug, std::string_view name,
                                           std::string_view owner_user_id, const Actor& actor) {
  return CreateApp(slug, name, std::string(owner_user_id), actor);
}

Result<store::App> AppService::CreateApp(std::string_view slug, std::string_view name,
                                         const std::optional<std::string>& owner_user_id,
                                         const Actor& actor) {
  if (!IsValidSlug(slug)) {
    return ValidationError({{"slug", "must be 1-63 of a-z, 0-9 and '-', not starting with '-'"}});
  }
  if (Status n = CheckName(name); !n.ok()) return n;
  store::App app{crypto::NewUuid(),    std::string(slug), std::string(name), false,
                 store::AppSettings{}, clock_.NowMillis()};
  Status s = owner_user_id
                 ? store_.CreateAppWithOwner(app, {app.id, *owner_user_id, store::MemberRole::kOwner,
                                                   app.created_at})
                 : store_.CreateApp(app);
  if (s.ClashedOn(store::AppUniqueKey::kSlug)) {
    return AlreadyExistsError("an app with this slug exists").WithFieldErrors(
        {{"slug", "is already taken"}});
  }
  TESSERA_RETURN_IF_ERROR(s);
  store::AuditEvent e = ActorEvent(actor, store::AuditAction::kAppCreated);
  e.app_id = app.id;
  e.subject_type = store::AuditSubjectType::kApp;
  e.subject_id = app.id;
  e.details_json = boost::json::serialize(boost::json::object{{"slug", app.slug}});
  Audit(audit_, std::move(e));
  return app;
}

Result<store::App> AppService::Update(std::string_view slug, const std::optional<std::string>& name,
                                      const std::optional<store::AppSettings>& settings,
                                      const Actor& actor) {
  if (settings) TESSERA_RETURN_IF_ERROR(ValidateAppSettings(*settings));
  SettingsEdit replace;
  if (settings) replace = [&](store::AppSettings& s) { s = *settings; };
  return Edit(slug, name, replace, actor);
}

Result<store::App> AppService::Edit(std::string_view slug, const std::optional<std::string>& name,
                                    const SettingsEdit& edit, const Actor& actor) {
  if (name) TESSERA_RETURN_IF_ERROR(CheckName(*name));
  TESSERA_ASSIGN_OR_RETURN(store::App current, Find(slug));
  // What was stored when the transaction read it (normalized, so a first save lists only what
  // differs from the defaults).
  std::string before, before_name;
  TESSERA_ASSIGN_OR_RETURN(store::App app,
                           store_.UpdateApp(current.id, [&](store::App& a) -> Status {
                             before = store::SerializeAppSettings(a.settings);
                             before_name = a.name;
                             if (name) a.name = *name;
                             if (!edit) return OkStatus();
                             edit(a.settings);
                             return ValidateAppSettings(a.settings);
                           }));
  store::AuditEvent e = ActorEvent(actor, store::AuditAction::kAppSettingsChanged);
  e.app_id = app.id;
  e.subject_type = store::AuditSubjectType::kApp;
  e.subject_id = app.id;
  std::string change = SettingsChange(before, store::SerializeAppSettings(app.settings));
  if (before_name != app.name) {
    boost::json::value v = boost::json::parse(change);
    v.as_object()["changed"].as_array().emplace_back("name");
    change = boost::json::serialize(v);
  }
  e.details_json = std::move(change);
  Audit(audit_, std::move(e));
  Changed(slug);
  return app;
}

Result<store::App> AppService::SetDisabled(std::string_view slug, bool disabled,
                                           const Actor& actor) {
  if (disabled && slug == kConsoleAppSlug) {
    return FailedPreconditionError("the console app cannot be disabled");
  }
  TESSERA_ASSIGN_OR_RETURN(store::App current, Find(slug));
  TESSERA_ASSIGN_OR_RETURN(store::App app, store_.UpdateApp(current.id, [&](store::App& a) {
                             a.disabled = disabled;
                             return OkStatus();
                           }));
  store::AuditEvent e = ActorEvent(
      actor, disabled ? store::AuditAction::kAppDisabled : store::AuditAction::kAppEnabled);
  e.app_id = app.id;
  e.subject_type = store::AuditSubjectType::kApp;
  e.subject_id = app.id;
  Audit(audit_, std::move(e));
  Changed(slug);
  return app;
}

Status AppService::EnsureApp(std::string_view slug, std::string_view name) {
  auto app = store_.GetAppBySlug(slug);
  if (app.ok()) return OkStatus();
  if (!app.status().IsNotFound()) return app.status();
  auto created = Create(slug, name, SystemActor());
  if (!created.ok() && !created.status().IsAlreadyExists()) return created.status();
  return OkStatus();  // created now, or by a node that started at the same time
}

void AppService::Changed(std::string_view slug) {
  if (notices_) {
    notices_->Publish(ChangeTopic::kApp, slug);  // this node's copy too
  } else {
    Forget(slug);
  }
}

void AppService::Forget(std::string_view slug) {
  std::lock_guard lock(mu_);
  ++generation_;
  if (slug.empty()) {
    cache_.clear();
  } else {
    cache_.erase(std::string(slug));
  }
}

Status AppService::CheckName(std::string_view name) {
  auto chars = Utf8Length(name);
  if (!chars || *chars < 1 || *chars > 200 || name.find_first_of("\r\n") != std::string_view::npos) {
    return ValidationError({{"name", "must be 1-200 characters on one line"}});
  }
  return OkStatus();
}

std::string AppService::IssuerFor(std::string_view slug) const {
  return public_url_ + "/apps/" + std::string(slug);
}

}  // namespace tessera::services
