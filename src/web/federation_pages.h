// File: federation_pages.h
// The hosted side of signing in through an upstream provider (GitHub, Google, any OpenID
// provider), under {issuer}:
//   GET  /federation/{provider}/start?return_to=…   to the provider (sign-in and sign-up pages)
//   GET  /federation/{provider}/callback            back from it: signed in, linked, or proof
//   GET  /federation/link?ticket=…                  "this address has an account: prove it's
//   POST /federation/link                            yours" — the account's password links it,
//   POST /federation/link/email                      or a link mailed to its address, opened
//   GET  /federation/link/confirm?token=…            in the same browser ("link and sign in?"
//   POST /federation/link/confirm                    first: mail scanners open links)
//   POST /account/identities/{provider}/link        the account page: link another way in
//   POST /account/identities/{id}/unlink            …and unlink one (never the last)
//   GET  /api/auth/{provider}?redirect_uri=…&state=…&code_challenge=…
//        the API flow, which an app's backend sends the browser to: back on one of the
//        app's redirect URIs with a one-time code (api/server_api.h exchanges it)
// The callback must reach the browser that started: a cookie bound to the sign-in says so.
#pragma once

#include "federation/federated_sign_in.h"
#include "http/form.h"
#include "http/router.h"
#include "web/page_gates.h"
#include "web/page_kit.h"

namespace tessera::web {

class FederationPages {
 public:
  FederationPages(const PageKit& kit, services::FederatedSignIn& federation)
      : kit_(kit), federation_(federation) {}
  void Mount(http::Router& router, const PageGates& gates);

  // The buttons of the sign-in and sign-up pages: {name, url} per enabled provider, set as
  // `providers` in `d` (nothing when the app has none or they cannot be read).
  void SetProviderButtons(const store::App& app, const std::string& return_to, PageData& d) const;

 private:
  http::Response Start(http::Request& req, const store::App& app);
  http::Response Callback(http::Request& req, const store::App& app);
  http::Response ShowProof(http::Request& req, const store::App& app);
  http::Response SubmitProof(http::Request& req, const store::App& app,
                             const http::FormParams& form);
  http::Response MailProof(http::Request& req, const store::App& app,
                           const http::FormParams& form);
  http::Response ShowMailedLink(http::Request& req, const store::App& app);
  http::Response ConfirmMailedLink(http::Request& req, const store::App& app,
                                   const http::FormParams& form);
  http::Response LinkExpired(const http::Request& req, const store::App& app);
  http::Response StartApi(http::Request& req, const store::App& app);
  http::Response StartLink(http::Request& req, const BrowserVisit& v, const http::FormParams& form);
  http::Response Unlink(http::Request& req, const BrowserVisit& v, const http::FormParams& form);

  http::Response Outcome(const http::Request& req, const store::App& app,
                         const services::FederationOutcome& outcome);
  http::Response Failure(const http::Request& req, const store::App& app, const Status& status);
  http::Response ProofForm(const http::Request& req, const store::App& app,
                           const std::string& ticket, const std::string& error, unsigned status);
  http::Response ToProvider(const store::App& app, const services::StartedFederation& started);
  std::string BindingCookieName() const;

  const PageKit& kit_;
  services::FederatedSignIn& federation_;
};

}  // namespace tessera::web
