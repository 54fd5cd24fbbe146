// File: authorization_service.h
// The authorization endpoint's rules (RFC 6749 §4.1.1–4.1.2, RFC 7636, OIDC Core §3.1.2):
// validating a request, deciding whether the user must (re)authenticate or consent, and
// issuing the authorization code.
//
// Validation order matters (RFC 6749 §4.1.2.1): until the client and its redirect URI are
// known good, an error must be shown to the user and never redirected (an open redirector
// otherwise); after that, errors go back to the client by redirect.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "audit/audit_log.h"
#include "oauth/client_service.h"
#include "oauth/oauth_records.h"
#include "sessions/session_records.h"
#include "tenancy/tenancy_records.h"
#include "oauth/oauth_store.h"
#include "sessions/session_store.h"

namespace tessera::services {

struct AuthorizeFailure {
  bool redirect = false;  // false: show an error page, never redirect
  std::string error;      // RFC 6749 §4.1.2.1 / OIDC Core §3.1.2.6 code
  std::string description;
};

struct AuthorizationRequest {
  std::map<std::string, std::string> params;  // as received (re-posted by the consent form)
  store::OAuthClient client;
  std::string redirect_uri;    // where to send the answer (the registered URI it matched)
  bool redirect_uri_given = false;
  std::vector<std::string> scopes;
  std::string state;
  std::string nonce;
  std::string code_challenge;  // S256
  std::set<std::string> prompt;
  std::optional<int64_t> max_age_s;
  std::optional<AuthorizeFailure> failure;  // set when the request is not acceptable

  bool Prompts(std::string_view p) const { return prompt.contains(std::string(p)); }
};

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
  AuthorizationService(store::AuthorizationStore& codes, store::SessionStore& sessions,
                       ClientService& clients, const Clock& clock,
                       AuthorizationOptions options = {}, AuditLog* audit = nullptr)
      : codes_(codes), sessions_(sessions), clients_(clients), clock_(clock), options_(options), audit_(audit) {}

  AuthorizationRequest Validate(const store::App& app,
                                const std::map<std::string, std::string>& params);
  // True when the user has to authenticate again first (prompt=login, max_age passed).
  bool NeedsLogin(const AuthorizationRequest& request, const store::Session& browser_session) const;
  // First-party clients never ask; others ask unless the user consented to every scope
  // before (and prompt=consent was not sent).
  Result<bool> NeedsConsent(const store::App& app, std::string_view user_id,
                            const AuthorizationRequest& request);
  // Remembers the consent (adding to what was granted before).
  Status RecordConsent(const store::App& app, std::string_view user_id,
                       const AuthorizationRequest& request);
  // The clients the user consented to, newest first (clients since deleted are left out).
  Result<std::vector<AuthorizedApp>> ListAuthorizedApps(const store::App& app,
                                                        std::string_view user_id);
  // Forgets the consent and revokes every grant (session, tokens) the client holds.
  Status RevokeAuthorization(const store::App& app, std::string_view user_id,
                             std::string_view client_id);
  // Issues a single-use code bound to the client, the redirect URI and the PKCE challenge.
  Result<std::string> IssueCode(const store::App& app, const AuthorizationRequest& request,
                                const store::Session& browser_session);

 private:
  store::AuthorizationStore& codes_;
  store::SessionStore& sessions_;
  ClientService& clients_;
  const Clock& clock_;
  AuthorizationOptions options_;
  AuditLog* audit_;  // may be null
};

// Authorization codes look like "tac_" + 43 base64url characters.
inline constexpr std::string_view kAuthorizationCodePrefix = "tac_";

// RFC 8252 §7.3: a loopback redirect URI matches a registered one whatever its port.
bool RedirectUriMatches(std::string_view registered, std::string_view presented);

}  // namespace tessera::services
