#include "sessions/refresh_token_rotation.h"

#include <boost/json.hpp>

#include "base/log.h"
#include "crypto/digest.h"
#include "crypto/random.h"
#include "tenancy/app_settings.h"

namespace tessera::services {
namespace {

Status InvalidRefreshToken() { return UnauthenticatedError("invalid or expired refresh token"); }

}  // namespace

bool RefreshTokenRotation::IsShaped(std::string_view token) {
  return crypto::IsSecretTokenShaped(token, kRefreshTokenPrefix);
}

int64_t RefreshTokenRotation::TtlMs(const store::App& app) const {
  return store::AppOr(app.settings.refresh_token_ttl_s, options_.refresh_token_ttl_s) * 1000;
}

NewRefreshToken RefreshTokenRotation::First(const store::App& app,
                                            const store::Session& session) const {
  int64_t now = clock_.NowMillis();
  NewRefreshToken out;
  out.token = crypto::NewSecretToken(kRefreshTokenPrefix);
  out.record = {crypto::NewUuid(), session.id, crypto::TokenHash(out.token), now,
                std::min(session.expires_at, now + TtlMs(app)), std::nullopt};
  metrics_.refresh_tokens_issued.Inc();
  return out;
}

Result<RotatedRefreshToken> RefreshTokenRotation::Rotate(const store::App& app,
                                                         std::string_view client_id,
                                                         std::string_view presented,
                                                         const ClientInfo& client) {
  if (!IsShaped(presented)) return InvalidRefreshToken();
  const std::string presented_hash = crypto::TokenHash(presented);
  // The user first: the rotation's commit must be the last step, so that a database error
  // (503) never comes after the token was spent, when the client's retry would be a reuse.
  auto user = users_.GetUserOfRefreshToken(app.id, presented_hash);
  if (user.status().IsNotFound()) return InvalidRefreshToken();
  TESSERA_RETURN_IF_ERROR(user.status());
  int64_t now = clock_.NowMillis();
  RotatedRefreshToken out;
  out.refresh_token = crypto::NewSecretToken(kRefreshTokenPrefix);
  store::RefreshToken next{crypto::NewUuid(), "", crypto::TokenHash(out.refresh_token), now,
                           now + TtlMs(app), std::nullopt};
  TESSERA_ASSIGN_OR_RETURN(store::Rotation rot,
                           sessions_.RotateRefreshToken(app.id, client_id, presented_hash, next,
                                                        now));
  if (rot.outcome == store::RotationOutcome::kReused) {
    RevokeReplayedSession(app, client_id, *rot.session, client);
    return InvalidRefreshToken();
  }
  if (rot.outcome != store::RotationOutcome::kRotated) return InvalidRefreshToken();
  if (user->disabled || user->id != rot.session->user_id) {
    (void)sessions_.RevokeSessionById(app.id, rot.session->id, store::RevokeReason::kUserDisabled,
                                      now);
    return InvalidRefreshToken();
  }
  metrics_.refresh_tokens_issued.Inc();
  out.session = std::move(*rot.session);
  out.user = std::move(*user);
  return out;
}

void RefreshTokenRotation::RevokeReplayedSession(const store::App& app,
                                                 std::string_view client_id,
                                                 const store::Session& session,
                                                 const ClientInfo& client) {
  metrics_.refresh_reuse_detected.Inc();
  LogJson(spdlog::level::warn, "refresh_token_reuse_detected",
          {{"app", app.slug}, {"client_id", client_id}, {"user_id", session.user_id},
           {"session_id", session.id}, {"ip", client.ip}});
  (void)sessions_.RevokeSessionById(app.id, session.id, store::RevokeReason::kRefreshReuse,
                                    clock_.NowMillis());
  // The presenter is unknown (it may be the thief): the client it came through, or nobody.
  Audit(audit_,
        {.app_id = app.id,
         .action = store::AuditAction::kSessionRefreshReuse,
         .actor_type =
             client_id.empty() ? store::AuditActorType::kAnonymous : store::AuditActorType::kClient,
         .actor_id = std::string(client_id),
         .subject_type = store::AuditSubjectType::kUser,
         .subject_id = session.user_id,
         .ip = client.ip,
         .user_agent = client.user_agent,
         .outcome = store::AuditOutcome::kFailure,
         .details_json = boost::json::serialize(boost::json::object{{"session_id", session.id}})});
}

}  // namespace tessera::services
