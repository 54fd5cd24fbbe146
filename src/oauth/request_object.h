// File: request_object.h
// Signed request objects (JAR, RFC 9101; OIDC Core §6.1): an authorization request sent as a
// JWT in `request`, signed with one of the client's registered keys (client_keys.h), so its
// parameters cannot be read-and-changed on the way through the browser. Unpack checks it as
// §6 says and gives back the request's parameters — the object's only (§6.3: parameters
// beside it in the URL are ignored), with client_id — for the same validation as any other
// request (AuthorizationService). Used by /authorize and by PAR for a pushed object.
#pragma once

#include <vector>

#include "base/clock.h"
#include "crypto/signing_key.h"
#include "oauth/authorize_request.h"
#include "oauth/oauth_error.h"
#include "oauth/oauth_records.h"
#include "tenancy/app_service.h"
#include "tenancy/tenancy_records.h"

namespace tessera::services {

inline constexpr size_t kMaxRequestObjectBytes = 8 * 1024;  // crypto::kMaxJwtSize

class RequestObjectVerifier {
 public:
  RequestObjectVerifier(AppService& apps, const Clock& clock) : apps_(apps), clock_(clock) {}

  // What an object must be, each failure invalid_request_object saying why: compact JWS of at
  // most 8 KiB; typ absent, JWT or oauth-authz-req+jwt; alg among Algorithms(), never none
  // or a MAC; signed by the client's key its header names; `aud` the app's issuer; `iss`, if
  // there, and `client_id`, if there, the client's id (§5, the outer client_id must match);
  // `exp` not passed, `nbf` and `iat` not ahead (60 s leeway), at most an hour between iat and
  // exp; no `request` or `request_uri` inside. Claims become parameters: strings as they are,
  // numbers and booleans as their text, objects and arrays (`claims`) as JSON.
  OAuthResult<AuthorizeRequest::Params> Unpack(const store::App& app,
                                               const store::OAuthClient& client,
                                               const AuthorizeRequest::Params& outer) const;

  // The algorithms of request objects it verifies (discovery's
  // request_object_signing_alg_values_supported).
  static const std::vector<crypto::JwsAlg>& Algorithms();

 private:
  AppService& apps_;
  const Clock& clock_;
};

}  // namespace tessera::services
