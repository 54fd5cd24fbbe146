// File: client_credentials_grant.h
// grant_type=client_credentials (RFC 6749 §4.4): a confidential client acting on its own
// behalf gets an access token whose subject is itself — no user, no session, no refresh
// token (§4.4.3) and none of the scopes that describe a user (OIDC's, the account API's).
#pragma once

#include "oauth/grant.h"
#include "oauth/token_issuer.h"

namespace tessera::services {

class ClientCredentialsGrant : public Grant {
 public:
  explicit ClientCredentialsGrant(TokenIssuer& tokens) : tokens_(tokens) {}

  std::string_view type() const override { return "client_credentials"; }
  // Reads scope; none asks for every scope the client may have in this grant.
  OAuthResult<GrantedTokens> Issue(const GrantRequest& request) override;

 private:
  TokenIssuer& tokens_;
};

}  // namespace tessera::services
