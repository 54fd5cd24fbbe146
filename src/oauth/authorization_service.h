// File: authorization_service.h
// The authorization endpoint's rules (RFC 6749 §4.1.1–4.1.2, RFC 7636, OIDC Core §3.1.2):
// validating a request, deciding whether the user must (re)authenticate or consent, and
// issuing the authorization code.
//
// Validation is a pipeline: parse the parameters once (AuthorizeRequest), find the client,
// verify the redirect URI (VerifiedRedirect), then run the table of checks
// (authorize_checks.h). Until the client and its redirect URI are known good an error is
// shown to the user and never redirected (an open redirector otherwise, RFC 6749 §4.1.2.1);
// after that, errors go back to the client by redirect.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "audit/audit_log.h"
#include "base/clock.h"
#include "base/result.h"
#include "oauth/authorize_request.h"
#include "oauth/request_object.h"
#include "oauth/client_service.h"
#include "oauth/oauth_error.h"
#include "oauth/oauth_records.h"
#include "oauth/oauth_store.h"
#include "oauth/oauth_token_service.h"
#include "oauth/verified_redirect.h"
#include "sessions/session_records.h"
#include "sessions/session_store.h"
#include "tenancy/tenancy_records.h"

namespace tessera::services {

// A request that passed every check: what the rest of the flow (sign-in, consent, code) needs.
struct ValidAuthorization {
  AuthorizeRequest request;
  store::OAuthClient client;
  VerifiedRedirect redirect;         // where the code (or a later error) goes
  std::vector<std::string> scopes;   // what the user is asked to grant
  std::set<std::string> prompt;
  std::optional<int64_t> max_age_s;
  std::optional<std::string> hinted_subject;  // the sub of a valid id_token_hint
  // What travels through sign-in and consent and comes back to be validated again: the
  // request's parameters, or for a pushed request only client_id and request_uri (its
  // parameters are read from the store each time, so the browser cannot change them).
  AuthorizeRequest::Params carried{};
  std::string pushed_hash{};    // the request_uri's hash; "" when not pushed
  UnixMillis pushed_at = 0;     // when it was pushed (a sign-in after it satisfies prompt=login)

  bool Prompts(std::string_view p) const { return prompt.contains(std::string(p)); }
};

// A refused request. Without a redirect the error is shown on a page; with one it goes back
// to the client, echoing `state`.
struct AuthorizeRefusal {
  OAuthError error;
  std::optional<VerifiedRedirect> redirect;
  std::string state;
  ResponseMode mode = ResponseMode::kQuery;  // how a redirected error goes
};

using AuthorizeVerdict = OAuthResult<ValidAuthorization, AuthorizeRefusal>;

// A client the user let in (account page: "authorized apps").
struct AuthorizedApp {
  store::OAuthClient client;
  store::Consent consent;
};

struct AuthorizationOptions {
  int64_t code_ttl_s = 60;
  // How long a pushed request's request_uri may start, and run, a flow (RFC 9126 §2.2
  // expires_in): sign-in with a second factor can take minutes.
  int64_t pushed_request_ttl_s = 600;
};

// The PAR endpoint's answer (RFC 9126 §2.2).
struct PushedRequestUri {
  std::string request_uri;  // "urn:ietf:params:oauth:request_uri:tpr_…"
  int64_t expires_in = 0;
};

class AuthorizationService {
 public:
  // `hints` checks id_token_hint (signature and issuer); without it the hint is ignored.
  AuthorizationService(store::AuthorizationStore& codes, store::SessionStore& sessions,
                       ClientService& clients, const Clock& clock,
                       AuthorizationOptions options = {}, AuditLog* audit = nullptr,
                       OAuthTokenService* hints = nullptr)
      : codes_(codes), sessions_(sessions), clients_(clients), clock_(clock), options_(options),
        audit_(audit), hints_(hints) {}

  // A request_uri (the app's pushed requests on) stands for the parameters pushed with it:
  // only client_id and request_uri are read from `params` then (RFC 9126 §4), and a
  // request_uri that is unknown, expired, used or another client's is refused on a page.
  // A `request` (the app's signed request objects on, request_object.h) stands for the
  // parameters signed in it: only client_id and request are read from `params` then (RFC 9101
  // §6.3), and an object that does not verify is refused on a page (invalid_request_object).
  AuthorizeVerdict Validate(const store::App& app, const AuthorizeRequest::Params& params);
  // Signed request objects are verified by `verifier` (the composition root's); without one
  // they are refused as unsupported.
  void SetRequestObjects(const RequestObjectVerifier* verifier) { request_objects_ = verifier; }
  // RFC 9126 §2: validates `params` as an authorization request of `client` (authenticated by
  // the endpoint) and stores them for a single-use request_uri. Refusals are the ones
  // /authorize would give (as JSON, never redirected), and invalid_request when the app has
  // pushed requests off or `params` holds a request_uri itself. `proof_jkt`: the key of the
  // push's DPoP proof, if any (RFC 9449 §10.1), which becomes the request's dpop_jkt.
  OAuthResult<PushedRequestUri> Push(const store::App& app, const store::OAuthClient& client,
                                     AuthorizeRequest::Params params,
                                     std::string_view proof_jkt = {});
  // A pushed request's flow has ended without a code (the user denied): its request_uri is
  // spent. Best effort; a request not pushed is left alone.
  void EndPushed(const store::App& app, const ValidAuthorization& request);
  // True when the user has to authenticate again first (prompt=login, max_age passed).
  bool NeedsLogin(const ValidAuthorization& request, const store::Session& browser_session) const;
  // True when an id_token_hint names someone else than the signed-in user: OIDC Core
  // §3.1.2.1 then wants an error (login_required), not a code for the wrong user.
  bool HintNamesAnotherUser(const ValidAuthorization& request,
                            const store::Session& browser_session) const;
  // First-party clients never ask; others ask unless the user consented to every scope
  // before (and prompt=consent was not sent).
  Result<bool> NeedsConsent(const store::App& app, std::string_view user_id,
                            const ValidAuthorization& request);
  // Remembers the consent (adding to what was granted before).
  Status RecordConsent(const store::App& app, std::string_view user_id,
                       const ValidAuthorization& request);
  Status RecordConsent(const store::App& app, std::string_view user_id,
                       std::string_view client_id, const std::vector<std::string>& scopes);
  // The clients the user consented to, newest first (clients since deleted are left out).
  Result<std::vector<AuthorizedApp>> ListAuthorizedApps(const store::App& app,
                                                        std::string_view user_id);
  // Forgets the consent and revokes every grant (session, tokens) the client holds.
  Status RevokeAuthorization(const store::App& app, std::string_view user_id,
                             std::string_view client_id);
  // Issues a single-use code bound to the client, the redirect URI and the PKCE challenge.
  // For a pushed request, spends its request_uri first: kFailedPrecondition when it was spent
  // already (a second tab, a replay).
  Result<std::string> IssueCode(const store::App& app, const ValidAuthorization& request,
                                const store::Session& browser_session);

 private:
  AuthorizeVerdict ValidateSigned(const store::App& app, const AuthorizeRequest::Params& params);
  // Whether `params` carry a request object this service is to unpack.
  bool TakesRequestObject(const store::App& app, const AuthorizeRequest::Params& params) const;
  // The parameters pushed under params' request_uri, checked to be live and the client's.
  struct Pushed {
    AuthorizeRequest::Params params;
    std::string hash;
    UnixMillis at = 0;
  };
  OAuthResult<Pushed> ResolvePushed(const store::App& app, const AuthorizeRequest::Params& params);
  // Validate, given the parameters to check and what the flow carries.
  AuthorizeVerdict ValidateParams(const store::App& app, AuthorizeRequest request);
  // The request's client; errors are shown, never redirected.
  OAuthResult<store::OAuthClient> IdentifyClient(const store::App& app, std::string_view client_id);

  store::AuthorizationStore& codes_;
  store::SessionStore& sessions_;
  ClientService& clients_;
  const Clock& clock_;
  AuthorizationOptions options_;
  AuditLog* audit_;  // may be null
  OAuthTokenService* hints_;  // may be null
  const RequestObjectVerifier* request_objects_ = nullptr;
};

// A pushed request's request_uri: this prefix, then "tpr_" + 43 base64url characters.
inline constexpr std::string_view kRequestUriPrefix = "urn:ietf:params:oauth:request_uri:";
inline constexpr std::string_view kPushedRequestPrefix = "tpr_";

// Authorization codes look like "tac_" + 43 base64url characters.
inline constexpr std::string_view kAuthorizationCodePrefix = "tac_";

}  // namespace tessera::services
