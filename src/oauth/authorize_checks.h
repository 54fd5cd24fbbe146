// File: authorize_checks.h
// The rules an authorization request must meet once its client and redirect URI are known
// good (RFC 6749 §4.1.2.1, RFC 7636, RFC 9700, OIDC Core §3.1.2): one row per rule, run in
// the table's order; the first that fails answers, and its error goes back to the client by
// redirect. A new rule is a new row. (Checks whose errors must never be redirected — who
// the client is, where to answer — come before, in AuthorizationService::Validate.)
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "oauth/authorize_request.h"
#include "oauth/oauth_error.h"
#include "oauth/oauth_records.h"

namespace tessera::services {

inline constexpr size_t kMaxStateLength = 2048;
inline constexpr size_t kMaxNonceLength = 512;

struct AuthorizeCheck {
  std::string_view name;  // what the rule demands, for tests and reading
  // nullopt when the request meets the rule.
  std::optional<OAuthError> (*check)(const AuthorizeRequest& request,
                                     const store::OAuthClient& client);
};

// Every row, in the order they run.
std::span<const AuthorizeCheck> AuthorizeChecks();

// The error of the first row the request fails; nullopt when it meets them all.
std::optional<OAuthError> FirstFailedCheck(const AuthorizeRequest& request,
                                           const store::OAuthClient& client);

// The scope rows alone, for grants that ask for scopes without an authorization request (the
// device authorization request, RFC 8628 §3.1, carries only client_id and scope).
std::optional<OAuthError> FirstFailedScopeCheck(const AuthorizeRequest& request,
                                                const store::OAuthClient& client);

// The scopes a request that passed the checks asks for: those it names (less the OpenID claim
// scopes — profile, email, address, phone — the client is not registered for, which are not
// granted rather than refused), or — naming none — every scope the client may ask for but
// offline_access (which must be asked for).
std::vector<std::string> RequestedScopes(const AuthorizeRequest& request,
                                         const store::OAuthClient& client);

// The state an answer carries back: the request's, unless too long to echo (it is then
// refused, and the refusal does not echo it either).
std::string EchoedState(const AuthorizeRequest& request);

// max_age in seconds; nullopt when absent (or malformed, which the checks refuse).
std::optional<int64_t> MaxAgeSeconds(const AuthorizeRequest& request);

}  // namespace tessera::services
