// File: api_support.h
// What every JSON API handler does the same way: resolve the app, authenticate the caller,
// and answer a token grant. Bodies and queries are read by http/ (json_body.h, query.h).
#pragma once

#include <functional>

#include "http/json_body.h"
#include "http/message.h"
#include "http/problem.h"
#include "accounts/account_service.h"
#include "mfa/mfa_sign_in.h"
#include "sessions/session_service.h"
#include "tenancy/app_service.h"
#include "tokens/authenticator.h"

namespace tessera::api {

using AppHandler = std::function<http::Response(const store::App&)>;
using UserHandler = std::function<http::Response(const store::App&, services::Principal&)>;

services::ClientInfo ClientOf(const http::Request& req);

// Resolves {app} (404 when unknown) and runs `fn`.
http::Response InApp(services::AppService& apps, http::Request& req, const AppHandler& fn);
// InApp, then authenticates the Authorization header (401 with an RFC 6750 challenge).
http::Response AsUser(services::AppService& apps, services::Authenticator& authenticator,
                      http::Request& req, const UserHandler& fn);

// {access_token, token_type, expires_in, refresh_token, user}.
boost::json::object TokenGrantView(const store::App& app, const services::TokenGrant& grant);
http::Response TokenGrantResponse(const store::App& app, const services::TokenGrant& grant);
// The token response, or 403 "mfa-required" / "mfa-enrollment-required" with the
// mfa_token that POST /api/login/mfa completes (docs/api.md "Second factors").
http::Response ApiSignInResponse(const store::App& app, const services::ApiSignIn& signed_in);

// The end users' APIs (account, email flows) pass text on as it came: a password may hold any
// character (NIST 800-63B), and the services judge the rest. The management APIs keep the
// default rules (no NUL, which PostgreSQL cannot store).
inline constexpr http::JsonBodyRules kEndUserText{.allow_empty = false, .refuse_nul = false};

}  // namespace tessera::api
