// File: api_support.h
// What every JSON API handler does the same way: resolve the app, authenticate the caller,
// read the body strictly, and answer a token grant.
#pragma once

#include <functional>
#include <optional>

#include "api/json_body.h"
#include "http/message.h"
#include "http/problem.h"
#include "accounts/account_service.h"
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
http::Response TokenGrantResponse(const store::App& app, const services::TokenGrant& grant);

// Parses the body, or answers 415/400. `read` pulls the fields; Finish() reports the rest.
template <typename Read>
std::optional<http::Response> ReadBody(const http::Request& req, Read&& read,
                                       bool allow_empty = false) {
  auto body = JsonBody::Parse(req, allow_empty);
  if (!body.ok()) {
    return IsUnsupportedMediaType(body.status()) ? UnsupportedMediaType()
                                                 : http::ProblemResponse(body.status());
  }
  read(*body);
  Status s = body->Finish();
  if (!s.ok()) return http::ProblemResponse(s);
  return std::nullopt;
}

}  // namespace tessera::api
