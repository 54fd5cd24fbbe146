// File: browser_sign_in.h
// Signing a browser in, the end of every hosted sign-in (password, sign-up, magic link,
// email code): a fresh session and cookie, then back to where the user was going.
#pragma once

#include <string>

#include "accounts/user_records.h"
#include "http/message.h"
#include "web/page_kit.h"

namespace tessera::web {

// Starts a browser session for `user` (a fresh cookie; the session this browser had ends:
// one person per cookie) and redirects to `return_to` (already checked by SafeReturnTo) or
// the app's home page. 503 page when the session cannot be stored.
// `amr` and `idp` say how the user signed in (Session::amr): "pwd", "otp", or "fed" and the
// upstream provider's issuer.
// A user with second factors (or one the app or the OAuth client requires to enrol) goes to
// the second step first: /login/mfa, with the first step held in a single-use challenge
// whose value the browser keeps in a cookie (MfaCookieName).
http::Response SignInBrowser(const PageKit& kit, const http::Request& req, const store::App& app,
                             const store::User& user, const std::string& return_to,
                             std::string_view amr, std::string_view idp = "");

// The session itself, once every factor asked for is proven (the second step's end).
http::Response StartBrowserSession(const PageKit& kit, const http::Request& req,
                                   const store::App& app, const store::User& user,
                                   const std::string& return_to, std::string_view amr,
                                   std::string_view idp);

// The cookie that holds a sign-in waiting for its second factor.
std::string MfaCookieName(const PageKit& kit);
inline constexpr int64_t kMfaCookieMaxAge = 10 * 60;

// Whether `return_to` is an OAuth authorization that asks for several factors (acr_values).
bool ClientAsksForMfa(const PageKit& kit, const store::App& app, const std::string& return_to);

}  // namespace tessera::web
