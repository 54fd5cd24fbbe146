#include "sessions/session_service.h"

#include <boost/json.hpp>

#include "crypto/digest.h"
#include "crypto/random.h"

namespace tessera::services {
namespace {

store::AuditEvent SessionEvent(const store::App& app, store::AuditAction action,
                               std::string_view user_id, boost::json::object details) {
  store::AuditEvent e;
  e.app_id = app.id;
  e.action = action;
  e.actor_type = store::AuditActorType::kUser;
  e.actor_id = user_id;
  e.subject_type = store::AuditSubjectType::kUser;
  e.subject_id = user_id;
  e.details_json = boost::json::serialize(details);
  return e;
}

}  // namespace

Result<TokenGrant> SessionService::Login(const store::App& app, std::string_view identifier,
                                         std::string_view password, const ClientInfo& client) {
  TESSERA_ASSIGN_OR_RETURN(store::User user,
                           accounts_.Authenticate(app, identifier, password, client));
  return StartSession(app, std::move(user), client, "pwd");
}

Result<TokenGrant> SessionService::StartProvenSession(const store::App& app, store::User user,
                                                      const ClientInfo& client,
                                                      std::string_view amr) {
  return StartSession(app, std::move(user), client, amr);
}

Result<TokenGrant> SessionService::SignInVerifiedUser(const store::App& app, store::User user,
                                                      const ClientInfo& client,
                                                      const Actor* issued_by,
                                                      std::string_view method) {
  TESSERA_ASSIGN_OR_RETURN(store::User signed_in,
                           accounts_.RecordVerifiedSignIn(app, std::move(user), client, issued_by,
                                                          method));
  // Tokens the app itself asked for carry no authentication method of the user's.
  return StartSession(app, std::move(signed_in), client,
                      issued_by ? "" : (method == "email" ? "otp" : "fed"));
}

Result<TokenGrant> SessionService::StartSession(const store::App& app, store::User user,
                                                const ClientInfo& client,
                                                std::string_view amr) {
  int64_t now = clock_.NowMillis();
  store::Session session;
  session.id = crypto::NewUuid();
  session.app_id = app.id;
  session.user_id = user.id;
  session.created_at = session.last_used_at = session.auth_time = now;
  session.amr = std::string(amr);
  session.expires_at = now + options_.session_ttl_s * 1000;
  session.user_agent = client.user_agent.substr(0, 512);
  session.ip = client.ip;
  NewRefreshToken first = refresh_tokens_.First(app, session);
  TESSERA_RETURN_IF_ERROR(sessions_.CreateSession(session, first.record));
  return Grant(app, std::move(user), session, std::move(first.token));
}

Result<TokenGrant> SessionService::Grant(const store::App& app, store::User user,
                                         const store::Session& session,
                                         std::string refresh_token) {
  std::string issuer = apps_.IssuerFor(app.slug);
  AccessTokenRequest req{issuer,
                         issuer,
                         user.id,
                         options_.client_id,
                         options_.scope,
                         session.id,
                         session.created_at / 1000,
                         app.settings.access_token_ttl_s,
                         user.roles};
  TESSERA_ASSIGN_OR_RETURN(IssuedAccessToken issued, access_tokens_.Issue(req));
  return TokenGrant{std::move(issued.token), issued.expires_in, std::move(refresh_token),
                    std::move(user)};
}

Result<TokenGrant> SessionService::Refresh(const store::App& app, std::string_view refresh_token,
                                           const ClientInfo& client) {
  TESSERA_ASSIGN_OR_RETURN(RotatedRefreshToken rotated,
                           refresh_tokens_.Rotate(app, "", refresh_token, client));
  return Grant(app, std::move(rotated.user), rotated.session, std::move(rotated.refresh_token));
}

Status SessionService::LogoutByRefreshToken(const store::App& app,
                                            std::string_view refresh_token) {
  if (!RefreshTokenRotation::IsShaped(refresh_token)) return OkStatus();
  auto session = sessions_.FindSessionByRefreshToken(app.id, crypto::TokenHash(refresh_token));
  if (session.status().IsNotFound()) return OkStatus();
  TESSERA_RETURN_IF_ERROR(session.status());
  // The account API ends its own sessions only. An OAuth grant's refresh token ends through
  // the client's authenticated revocation (/oauth/revoke) or the user's account page: whoever
  // merely holds the token must not end a grant here without client authentication.
  if (session->kind != store::SessionKind::kApi) return OkStatus();
  Status s = RevokeSession(app, session->user_id, session->id, store::RevokeReason::kLogout);
  return s.IsNotFound() ? OkStatus() : s;
}

Status SessionService::RevokeSession(const store::App& app, std::string_view user_id,
                                     std::string_view session_id, store::RevokeReason reason) {
  Status s = sessions_.RevokeSession(app.id, user_id, session_id, reason, clock_.NowMillis());
  if (s.ok()) {
    store::AuditEvent e =
        SessionEvent(app,
                     reason == store::RevokeReason::kLogout ? store::AuditAction::kSessionLogout
                                                            : store::AuditAction::kSessionRevoked,
                     user_id, {{"reason", ToText(reason)}});
    e.subject_type = store::AuditSubjectType::kSession;
    e.subject_id = session_id;
    Audit(audit_, std::move(e));
  }
  return s;
}

Result<AccessEnded> SessionService::LogoutAll(const store::App& app, std::string_view user_id,
                                              bool keep_api_tokens) {
  TESSERA_ASSIGN_OR_RETURN(AccessEnded ended,
                           accounts_.EndAccess(app, user_id, "", store::RevokeReason::kLogoutAll,
                                               keep_api_tokens));
  Audit(audit_, SessionEvent(app, store::AuditAction::kSessionLogoutAll, user_id,
                             {{"sessions_revoked", ended.sessions},
                              {"api_tokens_revoked", ended.api_tokens}}));
  return ended;
}

Result<AccessEnded> SessionService::LogoutOthers(const store::App& app, std::string_view user_id,
                                                 std::string_view keep_session_id) {
  TESSERA_ASSIGN_OR_RETURN(AccessEnded ended,
                           accounts_.EndAccess(app, user_id, keep_session_id,
                                               store::RevokeReason::kLogoutAll,
                                               /*keep_api_tokens=*/true));
  Audit(audit_, SessionEvent(app, store::AuditAction::kSessionLogoutAll, user_id,
                             {{"sessions_revoked", ended.sessions},
                              {"api_tokens_revoked", 0},
                              {"kept_current", true}}));
  return ended;
}

Result<std::vector<store::Session>> SessionService::ListSessions(const store::App& app,
                                                                 std::string_view user_id) {
  return sessions_.ListActiveSessions(app.id, user_id, clock_.NowMillis());
}

}  // namespace tessera::services
