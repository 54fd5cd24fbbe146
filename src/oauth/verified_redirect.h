// File: verified_redirect.h
// Where an authorization answer may go: a redirect URI registered for the client. Only
// VerifyRedirectUri makes one, so an answer sent by redirect — the code, or an error — can
// only go to a URI that was checked (RFC 6749 §4.1.2.1, §10.15: no open redirector).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "oauth/oauth_error.h"
#include "oauth/oauth_records.h"

namespace tessera::services {

class VerifiedRedirect;

// Whether the request may leave redirect_uri out.
enum class RedirectUriRule {
  kOAuth,  // OAuth 2.0 (RFC 6749 §3.1.2.3): when the client registered exactly one
  kOpenId, // an OpenID Connect request (scope has openid): never (OIDC Core §3.1.2.1)
};

// The redirect URI the request names, when it matches one registered for `client`; or, when
// it names none and `rule` allows it, the client's one registered URI. Errors are
// invalid_request, to be shown to the user and never redirected.
OAuthResult<VerifiedRedirect> VerifyRedirectUri(const store::OAuthClient& client,
                                                const std::optional<std::string>& requested,
                                                RedirectUriRule rule = RedirectUriRule::kOAuth);

class VerifiedRedirect {
 public:
  const std::string& uri() const { return uri_; }
  // Whether the request named it; the token request must then repeat it (RFC 6749 §4.1.3).
  bool named_in_request() const { return named_in_request_; }

 private:
  VerifiedRedirect(std::string uri, bool named_in_request)
      : uri_(std::move(uri)), named_in_request_(named_in_request) {}
  friend OAuthResult<VerifiedRedirect> VerifyRedirectUri(const store::OAuthClient&,
                                                         const std::optional<std::string>&,
                                                         RedirectUriRule);

  std::string uri_;
  bool named_in_request_;
};

// RFC 8252 §7.3: a loopback redirect URI matches a registered one whatever its port.
bool RedirectUriMatches(std::string_view registered, std::string_view presented);

}  // namespace tessera::services
