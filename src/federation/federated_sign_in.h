// File: federated_sign_in.h
// Signing in through an upstream provider, end to end: Start sends the browser to the
// provider with a fresh state, nonce and PKCE verifier (kept in a single-use login ticket,
// so any node can take the callback); Finish takes the callback, asks the connector who
// signed in, and decides what that identity may do here:
//   - linked already → signs in to its user;
//   - new, and the address is an existing account's → never linked silently: linked at once
//     only when the provider vouches for the address, the app trusts it and the account's own
//     address is verified; otherwise the person proves they own the account first — its
//     password, or a link mailed to its address and opened in the same browser — and an
//     account whose address is unverified is never linked to at all;
//   - new, no such account → a new account (when the provider and the app allow sign-up).
// The API flow (an app's backend starts it) ends with a one-time code on one of the app's
// redirect URIs, which the backend exchanges for the usual token response: never a token in
// a URL.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "accounts/account_service.h"
#include "audit/audit_log.h"
#include "base/clock.h"
#include "base/result.h"
#include "email_flows/mail_flow.h"
#include "federation/connector.h"
#include "federation/federation_store.h"
#include "federation/identity_provider_service.h"
#include "federation/provider_metadata_cache.h"
#include "outbound/outbound_http.h"
#include "sessions/session_service.h"
#include "tenancy/app_service.h"

namespace tessera::services {

enum class FederationPurpose {
  kSignIn,  // the hosted sign-in and sign-up pages
  kLink,    // a signed-in user links another way to sign in (account page)
  kApi,     // an app's backend: back to its redirect URI with a one-time code
};

struct FederationStart {
  FederationPurpose purpose = FederationPurpose::kSignIn;
  std::string return_to;  // kSignIn, kLink: the page to go back to (checked by the caller)
  std::string user_id;    // kLink: who links
  // kApi: where the browser goes back (one of the app's redirect_uris), the app's state, and
  // its PKCE challenge (S256; optional).
  std::string redirect_uri;
  std::string client_state;
  std::string code_challenge;
};

struct StartedFederation {
  // Where to send the browser: the provider; or, in the API flow when the provider cannot
  // be reached, back to the app with error=temporarily_unavailable (and no binding).
  std::string upstream_url;
  // A random value for a cookie: the callback must come back to the browser that started
  // (so nobody can sign a victim in to the attacker's account with a callback URL).
  std::string browser_binding;
};

struct FederationOutcome {
  enum class Kind {
    kSignedIn,    // sign the browser in as `user`, then go to `return_to`
    kLinked,      // `user` linked the identity; go to `return_to`
    kNeedsProof,  // show the proof page for `proof_ticket` (the account: `user`)
    kRedirect,    // API flow: send the browser to `redirect_url` (a code, or an error)
  };
  Kind kind = Kind::kSignedIn;
  store::User user;
  bool created = false;          // kSignedIn: a new account
  std::string provider_name;     // "GitHub", for the pages
  std::string provider_slug;
  std::string provider_issuer;   // the ID token's `idp`
  std::string return_to;
  std::string proof_ticket;
  std::string redirect_url;
};

// What the proof page shows about a pending link.
struct PendingLinkView {
  std::string provider_name;
  std::string account_email;
  std::string upstream_email;
  std::string upstream_username;
  bool account_has_password = true;  // else it proves itself by a mailed link only
  bool can_mail = false;              // a proof link can be mailed (the server sends mail)
};

// A proof link on its way to the account's address.
struct MailedProof {
  // A random value for a cookie: the link links only in the browser that asked for it (a
  // link forwarded to, or clicked by, the account's owner elsewhere links nothing).
  std::string browser_binding;
  std::string address;  // where it went, for the "check your mail" page
};

// A user's linked identity as the account page and console show it.
struct LinkedIdentityView {
  store::LinkedIdentity identity;
  std::string provider_name;
  std::string provider_slug;
};

struct FederatedSignInOptions {
  int64_t login_ttl_s = 600;  // from Start to the callback
  int64_t proof_ttl_s = 900;  // to prove ownership of the account
  int64_t api_code_ttl_s = 60;
};

class FederatedSignIn {
 public:
  FederatedSignIn(store::FederationStore& store, IdentityProviderService& providers,
                  AccountService& accounts, SessionService& sessions, AppService& apps,
                  OutboundHttp& http, ProviderMetadataCache& metadata, const Clock& clock,
                  FederatedSignInOptions options = {}, AuditLog* audit = nullptr,
                  std::optional<MailFlowContext> mail = std::nullopt)
      : store_(store), providers_(providers), accounts_(accounts), sessions_(sessions),
        apps_(apps), http_(http), metadata_(metadata), clock_(clock), options_(options),
        audit_(audit), mail_(std::move(mail)) {}

  // The enabled providers of the app, for the sign-in page's buttons.
  Result<std::vector<store::IdentityProvider>> EnabledProviders(const store::App& app);

  // kNotFound: no such provider (or turned off); kInvalidArgument: a bad kApi request (a
  // redirect URI the app does not allow, a malformed challenge); kUnavailable: the provider's
  // discovery could not be read.
  Result<StartedFederation> Start(const store::App& app, std::string_view provider_slug,
                                  const FederationStart& start);
  // Errors, each for its own page: kNotFound (unknown provider), kFailedPrecondition (the
  // sign-in expired, was used, began in another browser, or the provider was turned off
  // meanwhile; a sign-up refused; an account that cannot be linked), and the connector's
  // (kPermissionDenied, kUnauthenticated, kUnavailable). The API flow answers its errors by
  // redirect (kRedirect) once its redirect URI is known.
  Result<FederationOutcome> Finish(const store::App& app, std::string_view provider_slug,
                                   const UpstreamCallback& callback,
                                   std::string_view browser_binding, const ClientInfo& client);

  Result<PendingLinkView> PendingLink(const store::App& app, std::string_view proof_ticket);
  // Links after the account's password proves the person owns it; then as Finish would have.
  // A wrong password is kInvalidArgument (field "password"), throttled like a sign-in.
  Result<FederationOutcome> ProveWithPassword(const store::App& app, std::string_view proof_ticket,
                                              std::string_view password, const ClientInfo& client);

  // The other proof: a link mailed to the account's address (counted by the mail limits),
  // which works once, while the pending link lives, in the browser that asked for it.
  // kFailedPrecondition when the pending link is gone or no mail can be sent.
  Result<MailedProof> MailProofLink(const store::App& app, std::string_view proof_ticket,
                                    const ClientInfo& client);
  // What the mailed link would link (its page asks before it links: mail scanners open
  // links); kNotFound when it is unknown, used or expired.
  Result<PendingLinkView> MailedLink(const store::App& app, std::string_view token);
  // Links after the mailed link came back to the browser that asked for it; then as Finish
  // would have. kFailedPrecondition for another browser (the link stays usable), an expired
  // or used link.
  Result<FederationOutcome> ProveWithMailedLink(const store::App& app, std::string_view token,
                                                std::string_view browser_binding,
                                                const ClientInfo& client);

  // The API flow's last step: the app's backend exchanges the one-time code (single use,
  // bound to the redirect URI, and to the PKCE verifier when a challenge was sent).
  // The user the code proves, and the provider (for the caller that asks for a second
  // factor before any session: api/server_api.cc).
  struct RedeemedCode {
    store::User user;
    std::string provider;
  };
  Result<RedeemedCode> RedeemApiCodeUser(const store::App& app, std::string_view code,
                                         std::string_view redirect_uri,
                                         std::string_view code_verifier);
  Result<TokenGrant> RedeemApiCode(const store::App& app, std::string_view code,
                                   std::string_view redirect_uri, std::string_view code_verifier,
                                   const ClientInfo& client);

  Result<std::vector<LinkedIdentityView>> LinkedIdentities(const store::App& app,
                                                           std::string_view user_id);
  // Refused (kFailedPrecondition) when it is the user's last way to sign in.
  Status Unlink(const store::App& app, std::string_view user_id, std::string_view identity_id,
                const ClientInfo& client);
  // The owner of the account's address has just proven it: identities linked before that
  // may be someone else's (AccountService's address-proven hook).
  void UnlinkAllAfterAddressProof(const store::App& app, const store::User& user);

 private:
  Result<FederationOutcome> Resolve(const store::App& app, const store::IdentityProvider& provider,
                                    const UpstreamIdentity& who, const boost::json::object& login,
                                    const ClientInfo& client);
  Result<FederationOutcome> Complete(const store::App& app, const store::IdentityProvider& provider,
                                     store::User user, bool created,
                                     const boost::json::object& login, const ClientInfo& client);
  // Links the pending link `p` (its payload) to `user`, who proved they own the account,
  // and finishes as Finish would have.
  Result<FederationOutcome> LinkProven(const store::App& app, const boost::json::object& p,
                                       store::User user, const ClientInfo& client);
  Result<PendingLinkView> PendingLinkOf(const store::App& app, const std::string& proof_hash);
  Result<store::FederationTicket> LiveMailedProof(const store::App& app, std::string_view token);
  Status Link(const store::App& app, const store::IdentityProvider& provider,
              const store::User& user, const UpstreamIdentity& who, const ClientInfo& client);
  std::string ApiRedirect(const boost::json::object& login,
                          std::initializer_list<std::pair<std::string_view, std::string_view>> params);

  store::FederationStore& store_;
  IdentityProviderService& providers_;
  AccountService& accounts_;
  SessionService& sessions_;
  AppService& apps_;  // the app's issuer, for the callback URL
  OutboundHttp& http_;
  ProviderMetadataCache& metadata_;
  const Clock& clock_;
  FederatedSignInOptions options_;
  AuditLog* audit_;
  std::optional<MailFlowContext> mail_;
};

}  // namespace tessera::services
