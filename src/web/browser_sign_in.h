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
http::Response SignInBrowser(const PageKit& kit, const http::Request& req, const store::App& app,
                             const store::User& user, const std::string& return_to,
                             std::string_view amr, std::string_view idp = "");

}  // namespace tessera::web
