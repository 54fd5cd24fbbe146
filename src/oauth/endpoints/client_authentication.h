// File: client_authentication.h
// Who the client is, for the token, introspection and revocation endpoints (RFC 6749 §2.3):
// client_secret_basic or client_secret_post — exactly one — or, for a public client, its
// client_id alone (which identifies but does not authenticate it).
#pragma once

#include <map>
#include <optional>
#include <string>

#include "http/message.h"
#include "oauth/endpoints/oauth_error.h"
#include "oauth/client_service.h"
#include "tenancy/app_service.h"

namespace tessera::oauth {

struct FormRequest {
  std::map<std::string, std::string> form;
  std::string Param(const std::string& name) const {
    auto it = form.find(name);
    return it == form.end() ? std::string() : it->second;
  }
  std::optional<std::string> Optional(const std::string& name) const {
    auto it = form.find(name);
    return it == form.end() ? std::nullopt : std::optional(it->second);
  }
};

// Reads an application/x-www-form-urlencoded body strictly (each parameter once).
std::optional<OAuthError> ReadOAuthForm(const http::Request& req, FormRequest* out);

// Sets `client` or returns the error to answer. With `allow_public` false, a client that
// did not authenticate (a public one) is refused.
std::optional<OAuthError> AuthenticateClient(services::ClientService& clients,
                                             const http::Request& req, const store::App& app,
                                             const FormRequest& form, bool allow_public,
                                             store::OAuthClient* client);

// A client's form POST to an endpoint of an app (device authorization, PAR): the app, the
// form read strictly, the client authenticated — or, public, identified.
struct ClientFormPost {
  store::App app;
  FormRequest form;
  store::OAuthClient client;
};
// Fills `out`, or returns the response to answer instead (404 problem for an unknown app, the
// OAuth error of a bad form or client).
std::optional<http::Response> ReadClientFormPost(services::AppService& apps,
                                                 services::ClientService& clients,
                                                 const http::Request& req, ClientFormPost* out);

}  // namespace tessera::oauth
