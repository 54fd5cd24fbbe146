#include "oauth/authorize_checks.h"

#include <algorithm>
#include <cctype>

#include "base/strings.h"

namespace tessera::services {
namespace {

using Verdict = std::optional<OAuthError>;
using Client = store::OAuthClient;

constexpr std::string_view kPromptValues[] = {"none", "login", "consent", "select_account"};

Verdict Refuse(std::string_view code, std::string description) {
  return OAuthError(code, std::move(description));
}

// A number of seconds: one to ten digits (any sane age, and never an overflow).
std::optional<int64_t> ParseSeconds(std::string_view s) {
  if (s.empty() || s.size() > 10) return std::nullopt;
  if (!std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  return std::stoll(std::string(s));
}

// RFC 7636 §4.2: BASE64URL(SHA256(verifier)) is exactly 43 characters.
bool IsS256Challenge(std::string_view c) {
  return c.size() == 43 && std::all_of(c.begin(), c.end(), [](char ch) {
           return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_';
         });
}

Verdict StateWithinLimit(const AuthorizeRequest& r, const Client&) {
  if (r.state.size() > kMaxStateLength) return Refuse(kInvalidRequest, "state is too long");
  return std::nullopt;
}

Verdict NoRequestObject(const AuthorizeRequest& r, const Client&) {
  if (r.has_request_object) return Refuse(kRequestNotSupported, "request objects are not supported");
  return std::nullopt;
}

Verdict NoRequestUri(const AuthorizeRequest& r, const Client&) {
  if (r.has_request_uri) return Refuse(kRequestUriNotSupported, "request_uri is not supported");
  return std::nullopt;
}

// RFC 9101 §10.5: a client registered with require_signed_request_object; a pushed request
// (authenticated at the push) will do too.
Verdict SignedWhenClientRequires(const AuthorizeRequest& r, const Client& c) {
  if (c.require_signed_request_object && !r.signed_request && !r.pushed) {
    return Refuse(kInvalidRequest,
                  "this client must sign its authorization requests (RFC 9101) or push them");
  }
  return std::nullopt;
}

// RFC 9126 §6: a client registered with require_pushed_authorization_requests.
Verdict PushedWhenClientRequires(const AuthorizeRequest& r, const Client& c) {
  if (c.require_pushed_authorization_requests && !r.pushed) {
    return Refuse(kInvalidRequest, "this client must push its authorization requests (RFC 9126)");
  }
  return std::nullopt;
}

Verdict ResponseTypeGiven(const AuthorizeRequest& r, const Client&) {
  if (r.response_type.empty()) return Refuse(kInvalidRequest, "response_type is required");
  return std::nullopt;
}

// No implicit or hybrid flows (RFC 9700 §2.1.2).
Verdict ResponseTypeIsCode(const AuthorizeRequest& r, const Client&) {
  if (r.response_type != "code") {
    return Refuse(kUnsupportedResponseType, "only response_type=code is supported");
  }
  return std::nullopt;
}

// The code flow's modes; fragment is for the implicit and hybrid flows, which are refused.
Verdict ResponseModeSupported(const AuthorizeRequest& r, const Client&) {
  if (!r.response_mode.empty() && r.response_mode != "query" && r.response_mode != "form_post") {
    return Refuse(kInvalidRequest, "response_mode must be query or form_post");
  }
  return std::nullopt;
}

Verdict ClientMayUseCodeFlow(const AuthorizeRequest&, const Client& c) {
  if (!Contains(c.grant_types, "authorization_code")) {
    return Refuse(kUnauthorizedClient, "this client may not use the authorization code flow");
  }
  return std::nullopt;
}

// RFC 6749 §3.3: scopes are separated by spaces; a tab or line break is not one.
Verdict ScopeSpaceSeparated(const AuthorizeRequest& r, const Client&) {
  for (const auto& s : r.scopes) {
    if (s.find_first_of("\t\r\n") != std::string::npos) {
      return Refuse(kInvalidScope, "scope must be space separated");
    }
  }
  return std::nullopt;
}

Verdict ScopesAllowedForClient(const AuthorizeRequest& r, const Client& c) {
  for (const auto& s : RequestedScopes(r, c)) {
    if (!Contains(c.scopes, s)) return Refuse(kInvalidScope, "scope not allowed for this client: " + s);
  }
  return std::nullopt;
}

Verdict NonceWithinLimit(const AuthorizeRequest& r, const Client&) {
  if (r.nonce.size() > kMaxNonceLength) return Refuse(kInvalidRequest, "nonce is too long");
  return std::nullopt;
}

// PKCE (RFC 7636, RFC 9700 §2.1.1): S256 only; required of public clients.
Verdict PkceForPublicClients(const AuthorizeRequest& r, const Client& c) {
  if (r.code_challenge.empty() && c.is_public) {
    return Refuse(kInvalidRequest, "PKCE is required: send code_challenge (S256)");
  }
  return std::nullopt;
}

Verdict NoMethodWithoutChallenge(const AuthorizeRequest& r, const Client&) {
  if (r.code_challenge.empty() && !r.code_challenge_method.empty()) {
    return Refuse(kInvalidRequest, "code_challenge_method without code_challenge");
  }
  return std::nullopt;
}

// An absent method means plain (RFC 7636 §4.3), which is refused too.
Verdict ChallengeMethodIsS256(const AuthorizeRequest& r, const Client&) {
  if (!r.code_challenge.empty() && r.code_challenge_method != "S256") {
    return Refuse(kInvalidRequest, "code_challenge_method must be S256");
  }
  return std::nullopt;
}

Verdict ChallengeIsS256Shaped(const AuthorizeRequest& r, const Client&) {
  if (!r.code_challenge.empty() && !IsS256Challenge(r.code_challenge)) {
    return Refuse(kInvalidRequest, "code_challenge must be 43 base64url characters");
  }
  return std::nullopt;
}

Verdict PromptValuesKnown(const AuthorizeRequest& r, const Client&) {
  for (const auto& v : r.prompt) {
    if (std::find(std::begin(kPromptValues), std::end(kPromptValues), v) == std::end(kPromptValues)) {
      return Refuse(kInvalidRequest, "unknown prompt value: " + v);
    }
  }
  return std::nullopt;
}

// OIDC Core §3.1.2.1.
Verdict PromptNoneAlone(const AuthorizeRequest& r, const Client&) {
  if (Contains(r.prompt, "none") && r.prompt.size() > 1) {
    return Refuse(kInvalidRequest, "prompt=none cannot be combined with other values");
  }
  return std::nullopt;
}

Verdict MaxAgeIsSeconds(const AuthorizeRequest& r, const Client&) {
  if (r.max_age && !ParseSeconds(*r.max_age)) {
    return Refuse(kInvalidRequest, "max_age must be a non-negative integer");
  }
  return std::nullopt;
}

// RFC 9449 §10: a JWK SHA-256 thumbprint (RFC 7638), 43 base64url characters.
Verdict DpopJktIsThumbprint(const AuthorizeRequest& r, const Client&) {
  if (!r.dpop_jkt.empty() && !IsS256Challenge(r.dpop_jkt)) {
    return Refuse(kInvalidRequest, "dpop_jkt must be a JWK SHA-256 thumbprint (43 base64url characters)");
  }
  return std::nullopt;
}

// The order is the answer's: a request breaking two rules hears about the first.
constexpr AuthorizeCheck kChecks[] = {
    {"state_within_limit", StateWithinLimit},
    {"no_request_object", NoRequestObject},
    {"no_request_uri", NoRequestUri},
    {"pushed_when_client_requires", PushedWhenClientRequires},
    {"signed_when_client_requires", SignedWhenClientRequires},
    {"response_type_given", ResponseTypeGiven},
    {"response_type_is_code", ResponseTypeIsCode},
    {"response_mode_supported", ResponseModeSupported},
    {"client_may_use_code_flow", ClientMayUseCodeFlow},
    {"scope_space_separated", ScopeSpaceSeparated},
    {"scopes_allowed_for_client", ScopesAllowedForClient},
    {"nonce_within_limit", NonceWithinLimit},
    {"pkce_for_public_clients", PkceForPublicClients},
    {"no_method_without_challenge", NoMethodWithoutChallenge},
    {"challenge_method_is_s256", ChallengeMethodIsS256},
    {"challenge_is_s256_shaped", ChallengeIsS256Shaped},
    {"prompt_values_known", PromptValuesKnown},
    {"prompt_none_alone", PromptNoneAlone},
    {"max_age_is_seconds", MaxAgeIsSeconds},
    {"dpop_jkt_is_thumbprint", DpopJktIsThumbprint},
};

}  // namespace

std::span<const AuthorizeCheck> AuthorizeChecks() { return kChecks; }

std::optional<OAuthError> FirstFailedCheck(const AuthorizeRequest& request,
                                           const store::OAuthClient& client) {
  for (const AuthorizeCheck& row : kChecks) {
    if (auto error = row.check(request, client)) return error;
  }
  return std::nullopt;
}

std::optional<OAuthError> FirstFailedScopeCheck(const AuthorizeRequest& request,
                                                const store::OAuthClient& client) {
  if (auto error = ScopeSpaceSeparated(request, client)) return error;
  return ScopesAllowedForClient(request, client);
}

std::vector<std::string> RequestedScopes(const AuthorizeRequest& request,
                                         const store::OAuthClient& client) {
  if (!request.scopes.empty()) {
    // The OpenID claim scopes (OIDC Core §5.4) a client was not registered for are granted
    // less, not refused (RFC 6749 §3.3 lets the server grant less; OIDC Core §3.1.2.1 says
    // scopes not understood SHOULD be ignored): the token response's `scope` says what was
    // granted. Any other unregistered scope (openid itself, the app's API scopes) is refused.
    std::vector<std::string> kept;
    for (const auto& s : request.scopes) {
      bool claim_scope =
          s == "profile" || s == "email" || s == "address" || s == "phone" || s == "roles";
      if (!claim_scope || Contains(client.scopes, s)) kept.push_back(s);
    }
    return kept;
  }
  std::vector<std::string> scopes;
  for (const auto& s : client.scopes) {
    if (s != "offline_access") scopes.push_back(s);
  }
  return scopes;
}

std::string EchoedState(const AuthorizeRequest& request) {
  return request.state.size() > kMaxStateLength ? std::string() : request.state;
}

std::optional<int64_t> MaxAgeSeconds(const AuthorizeRequest& request) {
  return request.max_age ? ParseSeconds(*request.max_age) : std::nullopt;
}

}  // namespace tessera::services
