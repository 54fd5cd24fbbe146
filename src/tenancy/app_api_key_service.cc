#include "tenancy/app_api_key_service.h"

#include "base/auth_scheme.h"

#include <boost/json.hpp>

#include "crypto/digest.h"
#include "crypto/random.h"
#include "base/utf8.h"

namespace tessera::services {
namespace {

constexpr size_t kDisplayPrefix = 11;         // "tsk_" + 7 characters
constexpr int64_t kTouchIntervalMs = 60'000;  // last_used_at precision: one write a minute

// "Bearer tsk_…" (the scheme is case-insensitive, RFC 7235 §2.1); "" when it is not one.
std::string_view BearerKey(std::string_view authorization) {
  std::string_view key = AuthCredentials(authorization, "bearer").value_or("");
  while (!key.empty() && key.back() == ' ') key.remove_suffix(1);
  return key;
}

store::AuditEvent KeyEvent(const Actor& actor, store::AuditAction action,
                           const store::AppApiKey& key) {
  store::AuditEvent e = ActorEvent(actor, action);
  e.app_id = key.app_id;
  e.subject_type = store::AuditSubjectType::kAppApiKey;
  e.subject_id = key.id;
  e.details_json =
      boost::json::serialize(boost::json::object{{"name", key.name}, {"prefix", key.prefix}});
  return e;
}

}  // namespace

Result<CreatedAppApiKey> AppApiKeyService::Create(const store::App& app, std::string_view name,
                                                  const Actor& actor) {
  auto chars = Utf8Length(name);
  if (!chars || *chars < 1 || *chars > 100) {
    return ValidationError({{"name", "must be 1-100 characters"}});
  }
  TESSERA_ASSIGN_OR_RETURN(auto existing, store_.ListAppApiKeys(app.id));
  if (existing.size() >= kMaxApiKeysPerApp) {
    return FailedPreconditionError("at most 50 API keys per app; revoke one first");
  }
  CreatedAppApiKey out;
  out.key = crypto::NewSecretToken(kAppApiKeyPrefix);
  store::AppApiKey& r = out.record;
  r.id = crypto::NewUuid();
  r.app_id = app.id;
  r.name = std::string(name);
  r.prefix = out.key.substr(0, kDisplayPrefix);
  r.key_hash = crypto::TokenHash(out.key);
  r.created_by = actor.id;
  r.created_at = clock_.NowMillis();
  TESSERA_RETURN_IF_ERROR(store_.CreateAppApiKey(r));
  Audit(audit_, KeyEvent(actor, store::AuditAction::kAppApiKeyCreated, r));
  return out;
}

Result<std::vector<store::AppApiKey>> AppApiKeyService::List(const store::App& app) {
  return store_.ListAppApiKeys(app.id);
}

Status AppApiKeyService::Revoke(const store::App& app, std::string_view key_id,
                                const Actor& actor) {
  TESSERA_ASSIGN_OR_RETURN(auto keys, store_.ListAppApiKeys(app.id));
  auto it = std::find_if(keys.begin(), keys.end(),
                         [&](const store::AppApiKey& k) { return k.id == key_id; });
  if (it == keys.end()) return NotFoundError("no such API key");
  TESSERA_RETURN_IF_ERROR(store_.RevokeAppApiKey(app.id, key_id, clock_.NowMillis()));
  Audit(audit_, KeyEvent(actor, store::AuditAction::kAppApiKeyRevoked, *it));
  return OkStatus();
}

// The lookup is by SHA-256 of the presented key, so the database never compares secrets;
// the hash comparison below is constant-time anyway.
Result<store::AppApiKey> AppApiKeyService::Authenticate(std::string_view authorization) {
  std::string_view key = BearerKey(authorization);
  if (key.rfind(kAppApiKeyPrefix, 0) != 0 || key.size() > 128) {
    return UnauthenticatedError("a valid API key is required");
  }
  std::string hash = crypto::TokenHash(key);
  auto record = store_.GetAppApiKeyByHash(hash);
  if (record.status().IsNotFound()) return UnauthenticatedError("a valid API key is required");
  TESSERA_RETURN_IF_ERROR(record.status());
  if (!crypto::ConstantTimeEquals(record->key_hash, hash) || record->revoked_at) {
    return UnauthenticatedError("a valid API key is required");
  }
  int64_t now = clock_.NowMillis();
  if (!record->last_used_at || now - *record->last_used_at > kTouchIntervalMs) {
    (void)store_.TouchAppApiKey(record->id, now);  // best effort bookkeeping
  }
  return record;
}

}  // namespace tessera::services
