// File: connector_support.h
// What every connector does alike: the rule for upstream endpoint URLs, PKCE, building the
// authorization URL and form bodies, reading the provider's JSON answers, and turning what a
// provider says (error codes, descriptions) into bounded, printable text for messages.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "federation/connector.h"
#include "outbound/outbound_http.h"

namespace tessera::services {

using Params = std::vector<std::pair<std::string, std::string>>;

// An endpoint Tessera may call or send a browser to: an absolute URL, https (http only on a
// loopback host, for tests and local providers), no userinfo, no fragment, at most 2048 bytes.
bool IsUpstreamEndpoint(std::string_view url);

// RFC 7636 §4.2: BASE64URL(SHA256(ASCII(code_verifier))).
std::string PkceS256Challenge(std::string_view code_verifier);

// `endpoint` with `params` added to its query (percent-encoded; a query it has is kept).
// kUnavailable when the endpoint is not one IsUpstreamEndpoint allows.
Result<std::string> UrlWithQuery(std::string_view endpoint, const Params& params);

// application/x-www-form-urlencoded (every byte but the unreserved ones percent-encoded).
std::string FormEncode(const Params& params);

// RFC 6749 §2.3.1: "Basic " + base64(urlencode(client_id) ":" urlencode(secret)).
std::string BasicAuthorization(std::string_view client_id, std::string_view secret);

// Text from a provider, fit for a message: only printable ASCII but quote and backslash
// (RFC 6749 §5.2's own set for `error` and `error_description`), at most `max_bytes`.
std::string ProviderText(std::string_view text, size_t max_bytes);

// The callback's `error`, as a status: kPermissionDenied for access_denied, kUnavailable when
// the provider says it is down (server_error, temporarily_unavailable), else
// kUnauthenticated. The message names the provider and the error code, and quotes the
// description only bounded and sanitised.
Status CallbackError(std::string_view provider, const UpstreamCallback& callback);

// A 200 answer's JSON object; kUnavailable naming `what` for any other status or a body that
// is not a JSON object.
Result<boost::json::object> JsonAnswer(const OutboundResponse& response, std::string_view provider,
                                       std::string_view what);

// The string member `name`; "" when absent or not a string.
std::string_view StringMember(const boost::json::object& object, std::string_view name);

// A value from a provider that Tessera may store or show: well-formed UTF-8 without NUL or
// control characters, at most `max_bytes`; "" otherwise (the value is dropped, not repaired).
std::string StorableClaim(std::string_view value, size_t max_bytes);

// Whether `token` can travel in an Authorization header (RFC 6750 §2.1's b64token
// characters, bounded): a provider's access token is checked before it is sent anywhere.
bool IsBearerTokenShaped(std::string_view token);

}  // namespace tessera::services
