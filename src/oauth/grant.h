// File: grant.h
// A way for a client to get tokens at the token endpoint (RFC 6749 §1.3): one
// implementation per grant_type — authorization_code (authorization_code_grant.h),
// refresh_token (refresh_token_grant.h), client_credentials (client_credentials_grant.h),
// the device code (device_code_grant.h, RFC 8628) —
// looked up in GrantTypes (grant_types.h). A grant answers with the tokens or with the
// §5.2 error itself; the endpoint only authenticates the client before and writes after.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "audit/audit_log.h"
#include "oauth/oauth_error.h"
#include "oauth/oauth_records.h"
#include "tenancy/tenancy_records.h"

namespace tessera::services {

// A token request as a grant sees it: its client is authenticated (or, public, identified)
// and allowed this grant.
struct GrantRequest {
  const store::App& app;
  const store::OAuthClient& client;
  const std::map<std::string, std::string>& params;  // the form, each parameter once
  ClientInfo caller;                                  // where it came from, for the audit log
  // The thumbprint of the key of the request's valid DPoP proof (RFC 9449 §5): the access
  // token is bound to it; "" when the request carried no proof (a bearer token).
  std::string dpop_jkt{};

  // "" when absent.
  std::string Param(const std::string& name) const;
  // nullopt when absent (some parameters must be repeated exactly when they were sent before).
  std::optional<std::string> Optional(const std::string& name) const;
};

// The §5.1 answer.
struct GrantedTokens {
  std::string access_token;
  int64_t expires_in = 0;
  std::string scope;
  std::optional<std::string> refresh_token;  // with offline_access (and the refresh grant)
  std::optional<std::string> id_token;       // with openid
  std::optional<std::string> issued_token_type;  // a token exchange's (RFC 8693 §2.2.1)
  bool dpop_bound = false;  // token_type DPoP (RFC 9449 §5.1): the access token has cnf.jkt
};

// RFC 8693 §3: the token type of an access token.
inline constexpr std::string_view kAccessTokenType = "urn:ietf:params:oauth:token-type:access_token";

class Grant {
 public:
  virtual ~Grant() = default;
  // The grant_type value that selects it.
  virtual std::string_view type() const = 0;
  // Whether the app offers it (extensions are switched on per app); off, it is unsupported.
  virtual bool EnabledFor(const store::App&) const { return true; }
  virtual OAuthResult<GrantedTokens> Issue(const GrantRequest& request) = 0;
};

}  // namespace tessera::services
