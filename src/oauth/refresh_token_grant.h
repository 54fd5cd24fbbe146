// File: refresh_token_grant.h
// grant_type=refresh_token (RFC 6749 §6): spends the presented refresh token through the one
// rotation (sessions/refresh_token_rotation.h: reuse detection revokes the grant) and issues
// the next tokens of the same grant. `scope` may narrow the tokens, never widen the grant.
// A grant bound to a DPoP key (a public client's, RFC 9449 §5) is refreshed only with a proof
// of that key.
#pragma once

#include "base/clock.h"
#include "oauth/grant.h"
#include "oauth/token_issuer.h"
#include "sessions/refresh_token_rotation.h"
#include "sessions/session_store.h"

namespace tessera::services {

class RefreshTokenGrant : public Grant {
 public:
  RefreshTokenGrant(store::SessionStore& sessions, RefreshTokenRotation& refresh_tokens,
                    TokenIssuer& tokens, const Clock& clock)
      : sessions_(sessions), refresh_tokens_(refresh_tokens), tokens_(tokens), clock_(clock) {}

  std::string_view type() const override { return "refresh_token"; }
  // Reads refresh_token and scope.
  OAuthResult<GrantedTokens> Issue(const GrantRequest& request) override;

 private:
  // What is refused before the token is spent (see the .cc): invalid_grant for a token of a
  // DPoP-bound grant without a proof of its key, invalid_scope for a scope beyond the grant.
  std::optional<OAuthError> RefusedBeforeSpending(const GrantRequest& request,
                                                  std::string_view refresh_token,
                                                  const std::optional<std::string>& scope);

  store::SessionStore& sessions_;
  RefreshTokenRotation& refresh_tokens_;
  TokenIssuer& tokens_;
  const Clock& clock_;
};

}  // namespace tessera::services
