// File: token_exchange_grant.h
// grant_type=urn:ietf:params:oauth:grant-type:token-exchange (RFC 8693): a service holding a
// user's access token (subject_token) trades it for one meant for another service it calls
// (audience or resource), issued to itself, with at most the subject token's scope and never
// outliving it. The client's policy — token_exchange_audiences — names the services it may
// ask for (anything else is invalid_target). With an actor_token, the new token says who acts
// for the user: act {"sub": the actor, "act": the subject token's own act, if any}
// (RFC 8693 §4.1). Only access tokens are taken and issued; only a user's tokens (with their
// grant) are exchanged, so the new token dies with the user's grant.
#pragma once

#include "oauth/grant.h"
#include "oauth/oauth_token_service.h"
#include "oauth/token_issuer.h"

namespace tessera::services {

class TokenExchangeGrant : public Grant {
 public:
  TokenExchangeGrant(OAuthTokenService& tokens, TokenIssuer& issuer)
      : tokens_(tokens), issuer_(issuer) {}

  std::string_view type() const override;
  // Only where the app has token exchange on.
  bool EnabledFor(const store::App& app) const override;
  OAuthResult<GrantedTokens> Issue(const GrantRequest& request) override;

 private:
  // The audience the request names (audience or resource), or the client's only one.
  OAuthResult<std::string> Target(const GrantRequest& request) const;
  // The act claim: the actor token's subject, with the subject token's own act nested.
  OAuthResult<std::string> ActClaim(const GrantRequest& request, const VerifiedAccessToken& subject);

  OAuthTokenService& tokens_;
  TokenIssuer& issuer_;
};

inline constexpr std::string_view kTokenExchangeGrantType =
    "urn:ietf:params:oauth:grant-type:token-exchange";

}  // namespace tessera::services
