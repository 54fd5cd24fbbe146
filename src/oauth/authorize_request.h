// File: authorize_request.h
// An authorization request's parameters (RFC 6749 §4.1.1, RFC 7636 §4.3, OIDC Core
// §3.1.2.1), read once from the query or form. Parsing only reads: whether the values are
// acceptable is for the checks (authorize_checks.h), which answer in a fixed order.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tessera::services {

struct AuthorizeRequest {
  using Params = std::map<std::string, std::string>;
  static AuthorizeRequest Parse(Params params);

  // As received: the sign-in page's way back and the consent form send them again.
  Params params;
  // An absent parameter reads as "", but where the protocol tells absent from empty apart
  // the value is optional (or a has_ flag).
  std::string client_id;
  std::optional<std::string> redirect_uri;  // may be left out with one registered URI
  std::string response_type;
  std::string response_mode;
  std::vector<std::string> scopes;  // split on spaces only, in order, without repeats
  std::string state;
  std::string nonce;
  std::string id_token_hint;  // OIDC Core §3.1.2.1: an ID token of ours naming the expected user
  std::string code_challenge;
  std::string code_challenge_method;
  std::vector<std::string> prompt;  // split on spaces, in order, without repeats
  std::optional<std::string> max_age;  // as sent; the checks make sure it is a number
  // RFC 9449 §10: the thumbprint of the DPoP key the code is to be redeemed with; "" = none
  // (and always "" while the app has DPoP off: the parameter is then unknown, so ignored).
  std::string dpop_jkt;
  bool has_request_object = false;     // `request` (OIDC Core §6.1)
  bool has_request_uri = false;        // `request_uri` (OIDC Core §6.2)
  // Its parameters were pushed first (RFC 9126), or are being pushed: set by
  // AuthorizationService, never read from a parameter.
  bool pushed = false;
  // Its parameters came in a request object signed by the client (RFC 9101): set by
  // AuthorizationService once the object verified, never read from a parameter.
  bool signed_request = false;
};

// How the authorization response reaches the client: in the redirect URI's query (RFC 6749
// §4.1.2), or as a form the browser posts to it (OAuth 2.0 Form Post Response Mode), which
// keeps the code out of the URL, the history and Referer headers.
enum class ResponseMode { kQuery, kFormPost };
// The request's mode: form_post when it asks for it; query otherwise (an unknown mode is
// refused by the checks, and that refusal itself goes by query).
inline ResponseMode ResponseModeOf(const AuthorizeRequest& request) {
  return request.response_mode == "form_post" ? ResponseMode::kFormPost : ResponseMode::kQuery;
}

}  // namespace tessera::services
