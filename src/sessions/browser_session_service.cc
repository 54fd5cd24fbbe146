#include "sessions/browser_session_service.h"

#include "accounts/sign_in_rules.h"
#include "crypto/digest.h"
#include "crypto/random.h"

namespace tessera::services {
namespace {
constexpr int64_t kTouchEveryMs = 60'000;
constexpr size_t kMaxCookieLength = 128;
}  // namespace

Result<StartedBrowserSession> BrowserSessionService::Start(const store::App& app,
                                                           const store::User& user,
                                                           const ClientInfo& client,
                                                           std::string_view amr,
                                                           std::string_view idp) {
  // Every hosted way in ends here: none may open a session the app's rules forbid (a sign-up
  // on an app that requires verified addresses waits for the link; issue 11, item 4).
  TESSERA_RETURN_IF_ERROR(SessionAllowed(app, user));
  int64_t now = clock_.NowMillis();
  StartedBrowserSession started;
  store::Session& s = started.session;
  s.id = crypto::NewUuid();
  s.app_id = app.id;
  s.user_id = user.id;
  s.kind = store::SessionKind::kBrowser;
  s.created_at = s.last_used_at = s.auth_time = now;
  s.amr = std::string(amr);
  s.idp = std::string(idp);
  s.expires_at = now + options_.absolute_ttl_s * 1000;
  s.user_agent = client.user_agent.substr(0, 512);
  s.ip = client.ip;
  started.cookie_value = crypto::NewSecretToken(kBrowserSessionPrefix);
  TESSERA_RETURN_IF_ERROR(store_.CreateBrowserSession(s, crypto::TokenHash(started.cookie_value)));
  return started;
}

Result<store::Session> BrowserSessionService::Resolve(const store::App& app,
                                                      std::string_view cookie_value) {
  if (cookie_value.size() > kMaxCookieLength || cookie_value.rfind(kBrowserSessionPrefix, 0) != 0) {
    return NotFoundError("session");
  }
  int64_t now = clock_.NowMillis();
  TESSERA_ASSIGN_OR_RETURN(store::Session s,
                           store_.GetBrowserSession(app.id, crypto::TokenHash(cookie_value), now,
                                                    options_.idle_ttl_s * 1000));
  if (now - s.last_used_at >= kTouchEveryMs) {
    Status touched = store_.TouchSession(s.id, now);
    if (!touched.ok() && !touched.IsNotFound()) return touched;
    s.last_used_at = now;
  }
  return s;
}

Status BrowserSessionService::End(const store::App& app, const store::Session& session,
                                  store::RevokeReason reason) {
  Status s = store_.RevokeSessionById(app.id, session.id, reason, clock_.NowMillis());
  if (s.ok() && reason == store::RevokeReason::kLogout) {
    // The same action as the account API's logout (SessionService::RevokeSession).
    Audit(audit_, {.app_id = app.id,
                   .action = store::AuditAction::kSessionLogout,
                   .actor_type = store::AuditActorType::kUser,
                   .actor_id = session.user_id,
                   .subject_type = store::AuditSubjectType::kSession,
                   .subject_id = session.id,
                   // ip and user_agent: the request's (AuditLog::Record), not the sign-in's
                   .details_json = R"({"reason":"logout","method":"browser"})"});
  }
  return s.IsNotFound() ? OkStatus() : s;
}

Status BrowserSessionService::Replace(const store::App& app, const store::Session& old,
                                      const store::Session& current) {
  if (old.user_id == current.user_id) {
    TESSERA_RETURN_IF_ERROR(store_.AdoptChildSessions(app.id, old.id, current.id));
  }
  return End(app, old, store::RevokeReason::kReplaced);
}

}  // namespace tessera::services
