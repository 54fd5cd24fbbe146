// File: authorization_code_grant.h
// grant_type=authorization_code (RFC 6749 §4.1.3, PKCE RFC 7636 §4.6): redeems a code
// issued by AuthorizationService::IssueCode — once, atomically — checks that it is this
// client's, that redirect_uri repeats the authorization request's and that the verifier
// matches the challenge, then starts the grant: an "oauth" session (its id chosen when the
// code was issued) whose tokens carry it as `sid`. A code presented twice revokes that
// session, so every token of the first exchange dies (§4.1.2, §10.5).
#pragma once

#include <optional>
#include <string>

#include "accounts/user_records.h"
#include "accounts/user_store.h"
#include "audit/audit_log.h"
#include "base/clock.h"
#include "oauth/grant.h"
#include "oauth/grant_start.h"
#include "oauth/oauth_records.h"
#include "oauth/oauth_store.h"
#include "oauth/token_issuer.h"
#include "sessions/refresh_token_rotation.h"
#include "sessions/session_records.h"
#include "sessions/session_store.h"

namespace tessera::services {

struct AuthorizationCodeGrantOptions {
  int64_t session_ttl_s = 90LL * 24 * 3600;  // the grant's absolute lifetime
};

class AuthorizationCodeGrant : public Grant {
 public:
  AuthorizationCodeGrant(store::AuthorizationStore& codes, store::SessionStore& sessions,
                         store::UserStore& users, RefreshTokenRotation& refresh_tokens,
                         TokenIssuer& tokens, const Clock& clock,
                         AuthorizationCodeGrantOptions options = {}, AuditLog* audit = nullptr)
      : codes_(codes), sessions_(sessions), clock_(clock), audit_(audit),
        start_(sessions, users, refresh_tokens, tokens, clock, options.session_ttl_s) {}

  std::string_view type() const override { return "authorization_code"; }
  // Reads code, redirect_uri and code_verifier.
  OAuthResult<GrantedTokens> Issue(const GrantRequest& request) override;

 private:
  // The live code, now spent; a replay is refused after revoking what the code gave.
  OAuthResult<store::AuthorizationCode> Redeem(const GrantRequest& request, std::string_view code);
  Status RevokeCodeGrant(const store::App& app, const store::AuthorizationCode& code, int64_t now);

  store::AuthorizationStore& codes_;
  store::SessionStore& sessions_;
  const Clock& clock_;
  AuditLog* audit_;  // may be null
  GrantStart start_;
};

}  // namespace tessera::services
