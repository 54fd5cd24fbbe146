// File: dynamic_client_registration.h
// Dynamic client registration (RFC 7591) and its management protocol (RFC 7592), per app
// (the `dynamic_registration` setting). Software holding one of the app's initial access
// tokens (initial_access_token_service.h) sends its metadata to {issuer}/oauth/register and
// gets a client: its client_id, a secret unless it registered as public
// (token_endpoint_auth_method "none"), and a registration access token (trat_…, stored as
// SHA-256) with which it reads, replaces and deletes that registration at
// {issuer}/oauth/register/{client_id}.
//
// Metadata becomes a ClientRegistration checked by ClientService's rules, the ones every
// console client keeps: registered clients are never first-party (users are asked for
// consent) nor resource servers, and count against the app's client limit. Metadata that is
// not understood is ignored (RFC 7591 §2); metadata understood but of the wrong type, or
// inconsistent (response_types against grant_types), is refused.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "oauth/client_service.h"
#include "oauth/initial_access_token_service.h"
#include "oauth/oauth_error.h"
#include "oauth/oauth_records.h"
#include "oauth/oauth_store.h"
#include "tenancy/tenancy_records.h"

namespace tessera::services {

inline constexpr std::string_view kRegistrationAccessTokenPrefix = "trat_";

struct DynamicRegistration {
  store::OAuthClient client;
  std::optional<std::string> client_secret;  // a confidential client's, at registration only
  std::string registration_access_token;     // as issued, or as presented (RFC 7592 §3)
};

// Errors are the protocol's: invalid_token (the token is missing, wrong, expired, revoked or
// not this client's; unknown clients look the same), invalid_redirect_uri,
// invalid_client_metadata, and invalid_request while the app has registration off.
class DynamicClientRegistration {
 public:
  DynamicClientRegistration(ClientService& clients, store::ClientStore& store,
                            InitialAccessTokenService& initial_tokens)
      : clients_(clients), store_(store), initial_tokens_(initial_tokens) {}

  // RFC 7591 §3.1.
  OAuthResult<DynamicRegistration> Register(const store::App& app,
                                            std::string_view initial_access_token,
                                            const boost::json::object& metadata);
  // RFC 7592 §2.1.
  OAuthResult<DynamicRegistration> Read(const store::App& app, std::string_view client_id,
                                        std::string_view registration_access_token);
  // RFC 7592 §2.2: `metadata` replaces the registration (what it leaves out takes its default);
  // it must name the client_id, and its client_secret, if any, must be the client's.
  OAuthResult<DynamicRegistration> Replace(const store::App& app, std::string_view client_id,
                                           std::string_view registration_access_token,
                                           const boost::json::object& metadata);
  // RFC 7592 §2.3: the client is revoked, and its grants end.
  OAuthResult<std::monostate> Delete(const store::App& app, std::string_view client_id,
                                     std::string_view registration_access_token);

 private:
  // The client the registration access token is for.
  OAuthResult<store::OAuthClient> Managed(const store::App& app, std::string_view client_id,
                                          std::string_view registration_access_token);

  ClientService& clients_;
  store::ClientStore& store_;
  InitialAccessTokenService& initial_tokens_;
};

// RFC 7591 §3.2.1: a registered client's metadata, with client_id and client_id_issued_at.
boost::json::object RegisteredClientMetadata(const store::OAuthClient& client);

}  // namespace tessera::services
