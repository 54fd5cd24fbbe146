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

  AuthorizeVerdict Validate(const store::App& app, const AuthorizeRequest::Params& params);
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
  Result<std::string> IssueCode(const store::App& app, const ValidAuthorization& request,
                                const store::Session& browser_session);

 private:
  // The request's client; errors are shown, never redirected.
  OAuthResult<store::OAuthClient> IdentifyClient(const store::App& app, std::string_view client_id);

  store::AuthorizationStore& codes_;
  store::SessionStore& sessions_;
  ClientService& clients_;
  const Clock& clock_;
  AuthorizationOptions options_;
  AuditLog* audit_;  // may be null
  OAuthTokenService* hints_;  // may be null
};

// Authorization codes look like "tac_" + 43 base64url characters.
inline constexpr std::string_view kAuthorizationCodePrefix = "tac_";

}  // namespace tessera::services
