// File: device_pages.h
// The hosted pages of the device flow (RFC 8628 §3.3), at {issuer}/device — the
// verification_uri a device shows:
//   GET  /device             the code-entry form;
//   POST /device             the form's answer (CSRF-checked);
//   GET  /device?user_code=  the verification_uri_complete link, and the way back after
//                            sign-in. A code found (services::DeviceAuthorizationService::
//                            FindPending: counted and limited when wrong) leads a visitor
//                            through sign-in and back, and a signed-in user to the
//                            confirmation: the code again, the client and the scopes it asks
//                            for, Allow and Deny (§5.4: never approved by the link alone);
//   POST /device/decision    the confirmation's answer (CSRF-checked) → "return to your device".
#pragma once

#include <optional>

#include "http/form.h"
#include "http/router.h"
#include "oauth/device_authorization_service.h"
#include "web/page_kit.h"

namespace tessera::oauth {

class DevicePages {
 public:
  DevicePages(const web::PageKit& web, services::DeviceAuthorizationService& devices,
              services::AccountService& accounts)
      : web_(web), devices_(devices), accounts_(accounts) {}
  void Mount(http::Router& router);

 private:
  http::Response Show(http::Request& req);
  http::Response Enter(http::Request& req);
  http::Response Decide(http::Request& req);
  // The request's app when it has the device flow on; otherwise nullopt, and `refusal` is
  // the page to answer (unknown app, or 404 while the setting is off).
  std::optional<store::App> OpenApp(const http::Request& req, http::Response* refusal);
  // The posted form when it reads and its CSRF token is good; otherwise nullopt and `refusal`.
  std::optional<http::FormParams> CheckedForm(const http::Request& req, const store::App& app,
                                              http::Response* refusal);
  // Looks the typed code up and answers: the form again with why, sign-in first, or the
  // confirmation.
  http::Response Lookup(const http::Request& req, const store::App& app, std::string_view typed);
  http::Response CodeForm(const http::Request& req, const store::App& app,
                          std::string_view typed, const std::string& error, unsigned status);
  http::Response Confirmation(const http::Request& req, const store::App& app,
                              const services::PendingDeviceAuthorization& pending,
                              const store::Session& session);
  http::Response ToLogin(const store::App& app, std::string_view user_code);

  const web::PageKit& web_;
  services::DeviceAuthorizationService& devices_;
  services::AccountService& accounts_;
};

}  // namespace tessera::oauth
