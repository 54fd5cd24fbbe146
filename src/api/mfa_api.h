// File: mfa_api.h
// Second factors on the end-user JSON API (docs/api.md "Second factors"): completing a
// sign-in that needs one (POST login/mfa, with the mfa_token of the 403 a first factor got),
// enrolling when the app requires it (POST login/mfa/totp), and the user's own factors under
// me/mfa; passkeys through the API (login/mfa/passkey, login/passkey, me/mfa/passkeys) and
// the /.well-known/webauthn list of the apps' own origins. Thin: services::MfaSignIn,
// services::FactorService and services::PasskeyService hold the rules.
#pragma once

#include <chrono>
#include <mutex>
#include <string>

#include "http/router.h"
#include "mfa/factor_service.h"
#include "mfa/mfa_sign_in.h"
#include "sessions/session_service.h"
#include "tenancy/app_service.h"
#include "tokens/authenticator.h"

namespace tessera::api {

class MfaApi {
 public:
  MfaApi(services::AppService& apps, services::Authenticator& authenticator,
         services::SessionService& sessions, services::FactorService& factors,
         services::MfaSignIn& sign_in)
      : apps_(apps), authenticator_(authenticator), sessions_(sessions), factors_(factors),
        sign_in_(sign_in) {}

  void Mount(http::Router& router);

 private:
  http::Response CompleteLogin(http::Request& req);
  http::Response EnrolAtLogin(http::Request& req);
  http::Response PasskeyAtLogin(http::Request& req);
  http::Response PasskeySignInOptions(http::Request& req);
  http::Response PasskeySignIn(http::Request& req);
  http::Response PasskeyRegistrationOptions(http::Request& req);
  http::Response RegisterPasskey(http::Request& req);
  http::Response RelatedOrigins(http::Request& req);
  http::Response Overview(http::Request& req);
  http::Response BeginTotp(http::Request& req);
  http::Response ConfirmTotp(http::Request& req);
  http::Response RenameFactor(http::Request& req);
  http::Response RemoveFactor(http::Request& req);
  http::Response NewRecoveryCodes(http::Request& req);

  // When the caller's session signed in (0 for a personal API token: no recent sign-in).
  UnixMillis AuthTimeOf(const store::App& app, const services::Principal& p);

  services::AppService& apps_;
  services::Authenticator& authenticator_;
  services::SessionService& sessions_;
  services::FactorService& factors_;
  services::MfaSignIn& sign_in_;
  std::mutex related_mu_;  // the /.well-known/webauthn answer, rebuilt every 30 s
  std::string related_body_;
  std::chrono::steady_clock::time_point related_built_at_;
};

// {id, kind, name, created_at, last_used_at}: never a secret or key.
boost::json::object FactorView(const store::Factor& factor);

}  // namespace tessera::api
