// File: session_service.h
// An end user's sessions on the account API: a password login (or a sign-in proven another
// way) starts a session — a refresh-token family, one per device — with a short-lived access
// token; refresh rotates its token (sessions/refresh_token_rotation.h); logout ends one
// session, logout-all every one of the user's, whatever their kind (API, browser, OAuth grant),
// and by default the user's personal API tokens too.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "accounts/account_service.h"
#include "audit/audit_log.h"
#include "base/clock.h"
#include "base/result.h"
#include "sessions/refresh_token_rotation.h"
#include "sessions/session_store.h"
#include "tenancy/app_service.h"
#include "tokens/access_token_service.h"

namespace tessera::services {

struct SessionOptions {
  int64_t session_ttl_s = 90LL * 24 * 3600;  // absolute: sign in again after this
  std::string client_id = std::string(store::kAccountApiClientId);  // in its tokens
  std::string scope = "account";
};

struct TokenGrant {
  std::string access_token;
  int64_t expires_in = 0;
  std::string refresh_token;
  store::User user;
};

class SessionService {
 public:
  SessionService(store::SessionStore& sessions, AccountService& accounts,
                 RefreshTokenRotation& refresh_tokens, AccessTokenService& access_tokens,
                 AppService& apps, const Clock& clock, SessionOptions options,
                 AuditLog* audit = nullptr)
      : sessions_(sessions), accounts_(accounts), refresh_tokens_(refresh_tokens),
        access_tokens_(access_tokens), apps_(apps), clock_(clock), options_(std::move(options)),
        audit_(audit) {}

  // AccountService::Authenticate, then a new session.
  Result<TokenGrant> Login(const store::App& app, std::string_view identifier,
                           std::string_view password, const ClientInfo& client);
  // A session for a user proven another way (magic link, mail code) or for whom the app
  // itself asks (`issued_by`: its backend or a console); a disabled account is refused.
  // `method`: the proof, as AccountService::RecordVerifiedSignIn records it.
  Result<TokenGrant> SignInVerifiedUser(const store::App& app, store::User user,
                                        const ClientInfo& client,
                                        const Actor* issued_by = nullptr,
                                        std::string_view method = "email");
  // A session for a user whose sign-in was already proven and recorded (the second step of
  // an MFA sign-in); `amr` says how (Session::amr).
  Result<TokenGrant> StartProvenSession(const store::App& app, store::User user,
                                        const ClientInfo& client, std::string_view amr);
  Result<TokenGrant> Refresh(const store::App& app, std::string_view refresh_token,
                             const ClientInfo& client);
  // Revokes the account-API session of a refresh token; unknown tokens and OAuth grants' refresh
  // tokens are ignored (RFC 7009 §2.2: the answer says nothing about the token).
  Status LogoutByRefreshToken(const store::App& app, std::string_view refresh_token);
  Status RevokeSession(const store::App& app, std::string_view user_id, std::string_view session_id,
                       store::RevokeReason reason);
  // Signs the user out everywhere: every session of every kind and, unless `keep_api_tokens`,
  // every personal API token (AccountService::EndAccess); answers what it ended.
  Result<AccessEnded> LogoutAll(const store::App& app, std::string_view user_id,
                                bool keep_api_tokens = false);
  // Signs the user out of every other session (all kinds), keeping `keep_session_id` and the
  // personal API tokens; answers what it ended.
  Result<AccessEnded> LogoutOthers(const store::App& app, std::string_view user_id,
                                   std::string_view keep_session_id);
  Result<std::vector<store::Session>> ListSessions(const store::App& app, std::string_view user_id);

  const SessionOptions& options() const { return options_; }

 private:
  Result<TokenGrant> StartSession(const store::App& app, store::User user,
                                  const ClientInfo& client, std::string_view amr);
  Result<TokenGrant> Grant(const store::App& app, store::User user, const store::Session& session,
                           std::string refresh_token);

  store::SessionStore& sessions_;
  AccountService& accounts_;
  RefreshTokenRotation& refresh_tokens_;
  AccessTokenService& access_tokens_;
  AppService& apps_;
  const Clock& clock_;
  SessionOptions options_;
  AuditLog* audit_;  // may be null
};

}  // namespace tessera::services
