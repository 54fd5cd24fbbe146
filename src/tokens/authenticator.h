// File: authenticator.h
// Who is calling: resolves an `Authorization` header to an active user of the app, from a
// JWT access token (Bearer) or a personal API token (Bearer or Token scheme).
#pragma once

#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/result.h"
#include "tokens/access_token_service.h"
#include "tokens/api_token_service.h"
#include "tenancy/app_service.h"
#include "accounts/user_records.h"
#include "accounts/user_store.h"
#include "tenancy/tenancy_records.h"

namespace tessera::services {

// The life of a user's access token once its signature is verified, one rule for the account
// API, userinfo and introspection: its session is live, its jti is not revoked and its account
// is enabled — read with the user's row in one statement (UserStore::GetUserOfLiveToken), on
// every request, so every node refuses it as soon as one ended it. kUnauthenticated otherwise.
Result<store::User> UserOfLiveAccessToken(store::UserStore& users, const store::App& app,
                                          const VerifiedAccessToken& token, UnixMillis now);

struct Principal {
  store::User user;
  std::string session_id;    // set for access tokens
  std::string api_token_id;  // set for API tokens
};

class Authenticator {
 public:
  Authenticator(store::UserStore& users, AppService& apps, AccessTokenService& access_tokens,
                ApiTokenService& api_tokens, const Clock& clock)
      : users_(users),
        apps_(apps),
        access_tokens_(access_tokens),
        api_tokens_(api_tokens),
        clock_(clock) {}

  // kUnauthenticated (missing, malformed, invalid, expired, other app's, disabled user; an
  // access token whose session ended or which was revoked: checked in the database on each
  // request, with the user's row, so every node refuses it as soon as one ended it).
  Result<Principal> Authenticate(const store::App& app, std::string_view authorization);

 private:
  store::UserStore& users_;
  AppService& apps_;
  AccessTokenService& access_tokens_;
  ApiTokenService& api_tokens_;
  const Clock& clock_;
};

}  // namespace tessera::services
