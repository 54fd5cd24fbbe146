// File: grant_start.h
// What every user grant does once its authorization is redeemed — a code (RFC 6749 §4.1.3,
// authorization_code_grant.h) or an approved device authorization (RFC 8628 §3.5,
// device_code_grant.h): check the user may still get tokens, create the "oauth" session
// (whose id the authorization chose, so a replay can revoke it), the first refresh token when
// offline_access was granted, and the tokens that carry the session as `sid`.
#pragma once

#include <string>

#include "accounts/user_records.h"
#include "accounts/user_store.h"
#include "base/clock.h"
#include "oauth/grant.h"
#include "oauth/token_issuer.h"
#include "sessions/refresh_token_rotation.h"
#include "sessions/session_records.h"
#include "sessions/session_store.h"

namespace tessera::services {

// What the user approved, and how they had signed in.
struct ApprovedAuthorization {
  std::string session_id;
  std::string user_id;
  std::string scope;
  std::string nonce;  // OIDC nonce for the ID token; "" when none was sent
  UnixMillis auth_time = 0;
  std::string amr;
  std::string idp;
  // The browser session the user approved in, when the grant should end with it (a code
  // flow's; a device's grant lives on its own); "" = none.
  std::string browser_session_id{};
};

class GrantStart {
 public:
  GrantStart(store::SessionStore& sessions, store::UserStore& users,
             RefreshTokenRotation& refresh_tokens, TokenIssuer& tokens, const Clock& clock,
             int64_t session_ttl_s)
      : sessions_(sessions), users_(users), refresh_tokens_(refresh_tokens), tokens_(tokens),
        clock_(clock), session_ttl_s_(session_ttl_s) {}

  // invalid_grant when the user's account is gone, disabled or (as the app requires) not
  // verified, or when a session with the authorization's id exists already (a replay got
  // there first and left a revoked tombstone).
  OAuthResult<GrantedTokens> Start(const GrantRequest& request, const ApprovedAuthorization& a);

 private:
  OAuthResult<store::User> LiveUser(const store::App& app, const store::Session& session);

  store::SessionStore& sessions_;
  store::UserStore& users_;
  RefreshTokenRotation& refresh_tokens_;
  TokenIssuer& tokens_;
  const Clock& clock_;
  int64_t session_ttl_s_;
};

}  // namespace tessera::services
