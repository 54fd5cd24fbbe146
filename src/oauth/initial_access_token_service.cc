#include "oauth/initial_access_token_service.h"

#include <boost/json.hpp>

#include <algorithm>

#include "base/utf8.h"
#include "crypto/digest.h"
#include "crypto/random.h"

namespace tessera::services {
namespace {

constexpr size_t kDisplayPrefix = 12;         // "tiat_" + 7 characters
constexpr int64_t kTouchIntervalMs = 60'000;  // last_used_at precision: one write a minute
constexpr int64_t kDayMs = 24LL * 3600 * 1000;

store::AuditEvent TokenEvent(const Actor& actor, store::AuditAction action,
                             const store::InitialAccessToken& t) {
  store::AuditEvent e = ActorEvent(actor, action);
  e.app_id = t.app_id;
  e.subject_type = store::AuditSubjectType::kInitialAccessToken;
  e.subject_id = t.id;
  e.details_json =
      boost::json::serialize(boost::json::object{{"name", t.name}, {"prefix", t.prefix}});
  return e;
}

}  // namespace

Result<CreatedInitialAccessToken> InitialAccessTokenService::Create(
    const store::App& app, std::string_view name, std::optional<int64_t> expires_in_days,
    const Actor& actor) {
  auto chars = Utf8Length(name);
  if (!chars || *chars < 1 || *chars > 100) {
    return ValidationError({{"name", "must be 1-100 characters"}});
  }
  if (expires_in_days && (*expires_in_days < 1 || *expires_in_days > kMaxInitialAccessTokenDays)) {
    return ValidationError({{"expires_in_days", "must be 1-3650 days, or none for no expiry"}});
  }
  TESSERA_ASSIGN_OR_RETURN(auto existing, store_.ListInitialAccessTokens(app.id));
  if (existing.size() >= kMaxInitialAccessTokensPerApp) {
    return FailedPreconditionError("at most 50 registration tokens per app; revoke one first");
  }
  CreatedInitialAccessToken out;
  out.token = crypto::NewSecretToken(kInitialAccessTokenPrefix);
  store::InitialAccessToken& r = out.record;
  r.id = crypto::NewUuid();
  r.app_id = app.id;
  r.name = std::string(name);
  r.prefix = out.token.substr(0, kDisplayPrefix);
  r.token_hash = crypto::TokenHash(out.token);
  r.created_by = actor.id;
  r.created_at = clock_.NowMillis();
  if (expires_in_days) r.expires_at = r.created_at + *expires_in_days * kDayMs;
  TESSERA_RETURN_IF_ERROR(store_.CreateInitialAccessToken(r));
  Audit(audit_, TokenEvent(actor, store::AuditAction::kInitialAccessTokenCreated, r));
  return out;
}

Result<std::vector<store::InitialAccessToken>> InitialAccessTokenService::List(
    const store::App& app) {
  return store_.ListInitialAccessTokens(app.id);
}

Status InitialAccessTokenService::Revoke(const store::App& app, std::string_view id,
                                         const Actor& actor) {
  TESSERA_ASSIGN_OR_RETURN(auto tokens, store_.ListInitialAccessTokens(app.id));
  auto it = std::find_if(tokens.begin(), tokens.end(),
                         [&](const store::InitialAccessToken& t) { return t.id == id; });
  if (it == tokens.end()) return NotFoundError("no such registration token");
  TESSERA_RETURN_IF_ERROR(store_.RevokeInitialAccessToken(app.id, id, clock_.NowMillis()));
  Audit(audit_, TokenEvent(actor, store::AuditAction::kInitialAccessTokenRevoked, *it));
  return OkStatus();
}

// Looked up by the SHA-256 of the presented token, so the database never compares secrets.
Result<store::InitialAccessToken> InitialAccessTokenService::Check(const store::App& app,
                                                                   std::string_view token) {
  const Status refused = UnauthenticatedError("a valid initial access token is required");
  if (!crypto::IsSecretTokenShaped(token, kInitialAccessTokenPrefix)) return refused;
  std::string hash = crypto::TokenHash(token);
  auto record = store_.FindInitialAccessToken(app.id, hash);
  if (record.status().IsNotFound()) return refused;
  TESSERA_RETURN_IF_ERROR(record.status());
  int64_t now = clock_.NowMillis();
  if (!crypto::ConstantTimeEquals(record->token_hash, hash) || record->revoked_at ||
      (record->expires_at && *record->expires_at <= now)) {
    return refused;
  }
  if (!record->last_used_at || now - *record->last_used_at > kTouchIntervalMs) {
    (void)store_.TouchInitialAccessToken(record->id, now);  // best effort bookkeeping
  }
  return record;
}

}  // namespace tessera::services
