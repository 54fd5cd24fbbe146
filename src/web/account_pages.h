// File: account_pages.h
// The signed-in user's account page, {issuer}/account: profile, password, sessions and
// devices (every kind: browsers, API sign-ins, apps' grants) with sign-out, and the apps
// the user authorized with revoke, personal API tokens with revoke, and "sign out everywhere"
// (which also revokes the API tokens unless unticked). Each form POSTs to its own URL (CSRF-checked) and comes
// back with 303 to the page, which shows what was done. The page speaks the language the
// person saved in their profile (the `locale` the profile form's language menu sets), its
// texts from the "account" message catalogue.
#pragma once

#include <functional>

#include "accounts/account_service.h"
#include "federation/federated_sign_in.h"
#include "http/router.h"
#include "i18n/message_catalog.h"
#include "oauth/authorization_service.h"
#include "sessions/session_service.h"
#include "tokens/api_token_service.h"
#include "web/page_gates.h"
#include "web/page_kit.h"

namespace tessera::web {

class AccountPages {
 public:
  // `federation`: the linked identities and providers to link (none when null).
  AccountPages(const PageKit& kit, services::AccountService& accounts,
               services::SessionService& sessions, services::AuthorizationService& authz,
               services::ApiTokenService& api_tokens,
               services::FederatedSignIn* federation = nullptr)
      : kit_(kit), accounts_(accounts), sessions_(sessions), authz_(authz),
        api_tokens_(api_tokens), federation_(federation) {}
  void Mount(http::Router& router, const PageGates& gates);

 private:
  using Form = http::FormParams;

  http::Response Show(http::Request& req, const BrowserVisit& v);
  http::Response SaveProfile(http::Request& req, const BrowserVisit& v, const Form& form);
  http::Response ChangePassword(http::Request& req, const BrowserVisit& v, const Form& form);
  http::Response RevokeSession(http::Request& req, const BrowserVisit& v, const Form& form);
  http::Response RevokeApp(http::Request& req, const BrowserVisit& v, const Form& form);
  http::Response RevokeApiToken(http::Request& req, const BrowserVisit& v, const Form& form);
  http::Response SignOutEverywhere(http::Request& req, const BrowserVisit& v, const Form& form);
  http::Response SignOutOthers(http::Request& req, const BrowserVisit& v, const Form& form);
  // What a handler adds to the page once the person's language is known (notices, errors).
  using Fill = std::function<void(const i18n::Texts& t, PageData& d)>;
  http::Response Render(const http::Request& req, const BrowserVisit& v, PageData extra,
                        unsigned status, const Fill& fill = nullptr);
  // `t`: the page's language; `zone`: the person's time zone for the times shown ("" = UTC).
  PageData SessionRows(const BrowserVisit& v, const i18n::Texts& t, const std::string& zone,
                       size_t* others);
  PageData AuthorizedAppRows(const BrowserVisit& v, const i18n::Texts& t, const std::string& zone,
                             std::string* back_to_app);
  PageData ApiTokenRows(const BrowserVisit& v, const i18n::Texts& t, const std::string& zone,
                        size_t* count);
  // The linked identities (with unlink) and the providers to link, into `d`.
  void SetSignInMethods(const BrowserVisit& v, const i18n::Texts& t, const std::string& zone,
                        PageData& d);
  // 303 to the account page with ?done=what (and &api_tokens=… when given).
  http::Response Done(const store::App& app, std::string_view what,
                      std::string_view api_tokens = "");

  const PageKit& kit_;
  services::AccountService& accounts_;
  services::SessionService& sessions_;
  services::AuthorizationService& authz_;
  services::ApiTokenService& api_tokens_;
  services::FederatedSignIn* federation_;
};

}  // namespace tessera::web
