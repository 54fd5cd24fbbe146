#include "tokens/api_token_service.h"

#include <algorithm>
#include <boost/json.hpp>

#include "crypto/digest.h"
#include "crypto/random.h"
#include "base/utf8.h"

namespace tessera::services {
namespace {

constexpr size_t kDisplayPrefix = 12;               // "tpat_" + 7 characters
constexpr int64_t kTouchIntervalMs = 60'000;        // last_used_at precision: one write a minute
constexpr int64_t kMaxDays = 3650;

}  // namespace

bool LooksLikeApiToken(std::string_view token) {
  if (token.rfind(kApiTokenPrefix, 0) == 0) return token.size() <= 128;
  return IsImportedTokenKey(token);
}

Result<CreatedApiToken> ApiTokenService::Create(const store::App& app, std::string_view user_id,
                                                std::string_view name,
                                                std::optional<int64_t> expires_in_days) {
  std::vector<FieldError> errors;
  auto chars = Utf8Length(name);
  if (!chars || *chars < 1 || *chars > 100) errors.push_back({"name", "must be 1-100 characters"});
  if (expires_in_days && (*expires_in_days < 1 || *expires_in_days > kMaxDays)) {
    errors.push_back({"expires_in_days", "must be between 1 and 3650"});
  }
  if (!errors.empty()) return ValidationError(std::move(errors));
  TESSERA_ASSIGN_OR_RETURN(auto existing, store_.ListApiTokens(app.id, user_id));
  if (existing.size() >= kMaxApiTokensPerUser) {
    return FailedPreconditionError("at most 100 API tokens per user; revoke one first");
  }
  int64_t now = clock_.NowMillis();
  CreatedApiToken out;
  out.token = crypto::NewSecretToken(kApiTokenPrefix);
  store::ApiToken& r = out.record;
  r.id = crypto::NewUuid();
  r.app_id = app.id;
  r.user_id = std::string(user_id);
  r.name = std::string(name);
  r.prefix = out.token.substr(0, kDisplayPrefix);
  r.token_hash = crypto::TokenHash(out.token);
  r.created_at = now;
  if (expires_in_days) r.expires_at = now + *expires_in_days * 24 * 3600 * 1000;
  TESSERA_RETURN_IF_ERROR(store_.CreateApiToken(r));
  Audit(audit_, {.app_id = app.id,
                 .action = store::AuditAction::kApiTokenCreated,
                 .actor_type = store::AuditActorType::kUser,
                 .actor_id = r.user_id,
                 .subject_type = store::AuditSubjectType::kApiToken,
                 .subject_id = r.id,
                 .details_json = boost::json::serialize(
                     boost::json::object{{"name", r.name}, {"prefix", r.prefix}})});
  return out;
}

Result<std::vector<store::ApiToken>> ApiTokenService::List(const store::App& app,
                                                           std::string_view user_id) {
  TESSERA_ASSIGN_OR_RETURN(auto tokens, store_.ListApiTokens(app.id, user_id));
  int64_t now = clock_.NowMillis();
  std::erase_if(tokens, [now](const store::ApiToken& t) { return t.expires_at && *t.expires_at <= now; });
  return tokens;
}

Status ApiTokenService::Revoke(const store::App& app, std::string_view user_id,
                               std::string_view token_id) {
  Status s = store_.RevokeApiToken(app.id, user_id, token_id, clock_.NowMillis());
  if (s.ok()) {
    Audit(audit_, {.app_id = app.id,
                   .action = store::AuditAction::kApiTokenRevoked,
                   .actor_type = store::AuditActorType::kUser,
                   .actor_id = std::string(user_id),
                   .subject_type = store::AuditSubjectType::kApiToken,
                   .subject_id = std::string(token_id)});
  }
  return s;
}

Result<int64_t> ApiTokenService::RevokeAll(const store::App& app, std::string_view user_id,
                                           std::string_view reason) {
  TESSERA_ASSIGN_OR_RETURN(std::vector<std::string> ids,
                           store_.RevokeUserApiTokens(app.id, user_id, clock_.NowMillis()));
  const std::string details = boost::json::serialize(boost::json::object{{"reason", reason}});
  for (std::string& id : ids) {
    Audit(audit_, {.app_id = app.id,
                   .action = store::AuditAction::kApiTokenRevoked,
                   .actor_type = store::AuditActorType::kUser,
                   .actor_id = std::string(user_id),
                   .subject_type = store::AuditSubjectType::kApiToken,
                   .subject_id = std::move(id),
                   .details_json = details});
  }
  return static_cast<int64_t>(ids.size());
}

// The lookup is by SHA-256 of the presented token, so the database never compares secrets;
// the hash comparison below is constant-time anyway.
Result<store::ApiToken> ApiTokenService::Authenticate(const store::App& app, std::string_view token) {
  if (!LooksLikeApiToken(token)) return UnauthenticatedError("invalid token");
  std::string hash = crypto::TokenHash(token);
  auto record = store_.GetApiTokenByHash(hash);
  if (record.status().IsNotFound()) return UnauthenticatedError("invalid token");
  TESSERA_RETURN_IF_ERROR(record.status());
  int64_t now = clock_.NowMillis();
  if (!crypto::ConstantTimeEquals(record->token_hash, hash) || record->app_id != app.id ||
      record->revoked_at || (record->expires_at && *record->expires_at <= now)) {
    return UnauthenticatedError("invalid token");
  }
  if (!record->last_used_at || now - *record->last_used_at > kTouchIntervalMs) {
    (void)store_.TouchApiToken(record->id, now);  // best effort bookkeeping
  }
  return record;
}

}  // namespace tessera::services
