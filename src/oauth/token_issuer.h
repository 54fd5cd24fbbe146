// File: token_issuer.h
// The tokens a grant hands out: the RFC 9068 access token (tokens/AccessTokenService, with
// the app's lifetime) and, with `openid`, the ID token (OIDC Core §2: claims by scope,
// at_hash, nonce, the grant's sid). For a user's grant, or for a client acting for itself.
// Failures are the signing machinery's, so they are Status (the grants answer server_error).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "accounts/user_records.h"
#include "base/clock.h"
#include "base/result.h"
#include "oauth/grant.h"
#include "oauth/oauth_records.h"
#include "oauth/subject_identifiers.h"
#include "sessions/session_records.h"
#include "tenancy/app_service.h"
#include "tenancy/tenancy_records.h"
#include "tokens/access_token_service.h"
#include "tokens/key_service.h"

namespace tessera::services {

struct TokenIssuerOptions {
  int64_t id_token_ttl_s = 3600;
};

class TokenIssuer {
 public:
  // `subjects`: the `sub` each client knows a user by (pairwise or public).
  TokenIssuer(AppService& apps, KeyService& keys, AccessTokenService& access_tokens,
              const SubjectIdentifiers& subjects, const Clock& clock,
              TokenIssuerOptions options = {})
      : apps_(apps), keys_(keys), access_tokens_(access_tokens), subjects_(subjects),
        clock_(clock), options_(options) {}

  // A user's grant (its "oauth" session): the access token for `scopes`, the ID token when
  // they include openid (`nonce` echoed when set), and `refresh_token` passed through.
  Result<GrantedTokens> ForUser(const store::App& app, const store::OAuthClient& client,
                                const store::User& user, const store::Session& session,
                                const std::vector<std::string>& scopes,
                                std::optional<std::string> refresh_token, std::string_view nonce,
                                std::string_view dpop_jkt = {});
  // A token exchange (RFC 8693): an access token of the subject token's user and grant for
  // `audience`, issued to `client`, with `scope`, the `act` claim when someone acts for the
  // user (act_json, "" = none), and never outliving the subject token (`expires_at_s`).
  Result<GrantedTokens> ForExchange(const store::App& app, const store::OAuthClient& client,
                                    const store::User& user, const VerifiedAccessToken& subject,
                                    const std::string& audience, const std::string& scope,
                                    const std::string& act_json, std::string_view dpop_jkt = {});
  // Each binds the access token to `dpop_jkt` when set (RFC 9449 §6: cnf.jkt, token_type DPoP).
  // The client itself (client_credentials): an access token whose subject is the client,
  // with no session; nothing else.
  Result<GrantedTokens> ForClient(const store::App& app, const store::OAuthClient& client,
                                  const std::string& scope, std::string_view dpop_jkt = {});
  // OIDC Back-Channel Logout 1.0 §2.4: the logout token telling `client` that the grant `sid`
  // of user `user_id` (its sub for that client) ended — typ logout+jwt, signed as the client's ID tokens are, iss, aud, iat,
  // a short exp, a fresh jti, sub, sid and the back-channel logout event; never a nonce.
  Result<std::string> LogoutToken(const store::App& app, const store::OAuthClient& client,
                                  std::string_view user_id, std::string_view sid);

 private:
  Result<std::string> IdToken(const std::string& issuer, const store::OAuthClient& client,
                              const store::User& user, const store::Session& session,
                              const std::vector<std::string>& scopes,
                              std::string_view access_token, std::string_view nonce);
  // The key of the client's ID token algorithm; kFailedPrecondition when none is held.
  Result<const crypto::SigningKey*> ClientSigner(const KeySet& keys,
                                                 const store::OAuthClient& client);

  AppService& apps_;
  KeyService& keys_;
  AccessTokenService& access_tokens_;
  const SubjectIdentifiers& subjects_;
  const Clock& clock_;
  TokenIssuerOptions options_;
};

}  // namespace tessera::services
