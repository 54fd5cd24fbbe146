// File: oauth_token_service.h
// What clients and resource servers ask about the tokens of a grant (the grants themselves,
// which issue them, are grant.h's): introspection (RFC 7662), revocation (RFC 7009),
// userinfo (OIDC Core §5.3) and checking an id_token_hint (RP-Initiated Logout).
//
// Each code exchange starts an "oauth" session (the grant): its access tokens carry its id
// (`sid`), its refresh tokens form one rotating family. Revoking the session — by token
// revocation, a replayed code or refresh token, the account page, a password change — makes
// every token of the grant inactive at once: introspection and userinfo check the session.
// A revoked access token's jti is also listed until it expires (client-credentials tokens have
// no session), and revoking a client ends its grants: both are read from the database on each
// introspection and userinfo call, so every node sees them at once. (Resource servers that
// verify the JWTs themselves see a revocation only at the token's expiry.)
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <string_view>

#include "accounts/user_store.h"
#include "audit/audit_log.h"
#include "base/clock.h"
#include "base/result.h"
#include "oauth/oauth_records.h"
#include "oauth/oauth_store.h"
#include "sessions/session_store.h"
#include "tenancy/app_service.h"
#include "tenancy/tenancy_records.h"
#include "tokens/access_token_service.h"
#include "oauth/subject_identifiers.h"
#include "tokens/api_token_service.h"
#include "tokens/dpop_proof_service.h"
#include "tokens/key_service.h"

namespace tessera::services {

// How an access token reached a resource (RFC 9449 §7): as a bearer token, or under the DPoP
// scheme with the request's proofs.
struct TokenPresentation {
  bool dpop_scheme = false;
  std::vector<std::string_view> proofs;  // every DPoP header sent
  std::string_view method;
  std::string url;  // the resource's public URL
};

struct IdTokenHint {
  std::string subject;
  std::string client_id;  // aud
  std::string session_id;
};

class OAuthTokenService {
 public:
  OAuthTokenService(store::SessionStore& sessions, store::UserStore& users,
                    store::ClientStore& clients, store::RevokedAccessTokenStore& revoked,
                    AppService& apps, KeyService& keys, AccessTokenService& access_tokens,
                    const SubjectIdentifiers& subjects, const Clock& clock,
                    AuditLog* audit = nullptr, ApiTokenService* api_tokens = nullptr,
                    DpopProofService* dpop = nullptr)
      : sessions_(sessions), users_(users), clients_(clients), revoked_(revoked), apps_(apps),
        keys_(keys), access_tokens_(access_tokens), subjects_(subjects), clock_(clock),
        audit_(audit), api_tokens_(api_tokens), dpop_(dpop) {}

  // RFC 7662 §2.2: {"active": false} for anything not active (unknown, expired, revoked,
  // another app's) and for tokens the `caller` may not see; never an error for a bad token.
  // A client sees the tokens issued to it; a resource server (client.resource_server) also
  // every access token of the app, whose audience it serves (RFC 7662 §4), and every API
  // token (tpat_…, or a key imported from DRF): token_type "api_token", with the user's
  // username, email and roles, so a backend accepting `Token …` needs no other call.
  Result<boost::json::object> Introspect(const store::App& app, const store::OAuthClient& caller,
                                         std::string_view token, std::string_view token_type_hint);
  // RFC 7009 §2.2: unknown tokens and tokens of other clients are silently ignored.
  Status Revoke(const store::App& app, const store::OAuthClient& client, std::string_view token);
  // kUnauthenticated: bad or inactive token, or a DPoP-bound one presented without a proof of
  // its key (or a bearer one under the DPoP scheme); kInvalidArgument: the DPoP proof is not
  // valid (invalid_dpop_proof); kFailedPrecondition: it lacks the current nonce
  // (use_dpop_nonce); kPermissionDenied: no openid scope.
  Result<boost::json::object> UserInfo(const store::App& app, std::string_view access_token,
                                       const TokenPresentation& presented = {});
  // An access token of this app that is live now — signed, unexpired, for any audience of the
  // app, not revoked, its grant and account live — with its user for a user's token.
  // kUnauthenticated otherwise. (A token exchange's subject and actor tokens.)
  Result<VerifiedAccessToken> ActiveAccessToken(const store::App& app, std::string_view token,
                                                store::User* user_out = nullptr);
  // Checks an ID token we issued (signature and issuer; expiry ignored: it is only a hint).
  Result<IdTokenHint> VerifyIdTokenHint(const store::App& app, std::string_view id_token);
  // The `sub` `client` knows `user_id` by (OIDC Core §8: pairwise or public) — what an
  // id_token_hint of that client names the user as.
  std::string SubjectFor(const store::OAuthClient& client, std::string_view user_id) const {
    return subjects_.For(client, user_id);
  }

 private:
  Result<boost::json::object> IntrospectAccessToken(const store::App& app,
                                                    const store::OAuthClient& caller,
                                                    std::string_view token);
  Result<boost::json::object> IntrospectApiToken(const store::App& app,
                                                 const store::OAuthClient& caller,
                                                 std::string_view token);
  Result<boost::json::object> IntrospectRefreshToken(const store::App& app,
                                                     const store::OAuthClient& caller,
                                                     std::string_view token);
  // Not revoked by itself (its jti), by its grant (its session), by its account being
  // disabled, or by its client's removal.
  // `user_out`, if given, receives the token's user (a user's token only).
  // RFC 9449 §7.1: a bound token only under the DPoP scheme with a valid proof of its key
  // (ath included); a bearer token only as a bearer token.
  Status CheckPresentation(const store::App& app, const VerifiedAccessToken& token,
                           std::string_view access_token, const TokenPresentation& presented);
  Result<bool> AccessTokenIsLive(const store::App& app, const VerifiedAccessToken& token,
                                 store::User* user_out = nullptr);

  store::SessionStore& sessions_;
  store::UserStore& users_;
  store::ClientStore& clients_;
  store::RevokedAccessTokenStore& revoked_;
  AppService& apps_;
  KeyService& keys_;
  AccessTokenService& access_tokens_;
  const SubjectIdentifiers& subjects_;
  const Clock& clock_;
  AuditLog* audit_;
  ApiTokenService* api_tokens_;  // may be null: API tokens are then inactive
  DpopProofService* dpop_;       // may be null: DPoP-bound tokens are then refused
};

}  // namespace tessera::services
