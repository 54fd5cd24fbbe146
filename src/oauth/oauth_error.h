// File: oauth_error.h
// The OAuth protocol's own error value: a code from RFC 6749 §4.1.2.1 / §5.2 (or OIDC Core
// §3.1.2.6) and a description for the client's developer. The domain answers with it
// directly — the authorization checks and the grants know which code a failure is — and the
// endpoints only write it (oauth/endpoints/oauth_error.h: JSON body, HTTP status, challenge;
// or an error redirect). Status/Result stay the error convention below the protocol.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "base/status.h"

namespace tessera::services {

// RFC 6749 §4.1.2.1 (authorization endpoint) and §5.2 (token endpoint).
inline constexpr std::string_view kInvalidRequest = "invalid_request";
inline constexpr std::string_view kInvalidClient = "invalid_client";
inline constexpr std::string_view kInvalidGrant = "invalid_grant";
inline constexpr std::string_view kUnauthorizedClient = "unauthorized_client";
inline constexpr std::string_view kUnsupportedGrantType = "unsupported_grant_type";
inline constexpr std::string_view kUnsupportedResponseType = "unsupported_response_type";
inline constexpr std::string_view kInvalidScope = "invalid_scope";
inline constexpr std::string_view kAccessDenied = "access_denied";
inline constexpr std::string_view kServerError = "server_error";
inline constexpr std::string_view kTemporarilyUnavailable = "temporarily_unavailable";
// OIDC Core §3.1.2.6 and §6.
inline constexpr std::string_view kLoginRequired = "login_required";
inline constexpr std::string_view kConsentRequired = "consent_required";
inline constexpr std::string_view kInteractionRequired = "interaction_required";
inline constexpr std::string_view kRequestNotSupported = "request_not_supported";
inline constexpr std::string_view kRequestUriNotSupported = "request_uri_not_supported";
// RFC 9101 §7 (and RFC 9126 §4): the request_uri is unknown, expired, used or another client's.
inline constexpr std::string_view kInvalidRequestUri = "invalid_request_uri";
// RFC 9449 §5, §8: the DPoP proof is not valid; it lacks the server's current nonce.
inline constexpr std::string_view kInvalidDpopProof = "invalid_dpop_proof";
inline constexpr std::string_view kInvalidRequestObject = "invalid_request_object";  // RFC 9101 §6.3
inline constexpr std::string_view kUseDpopNonce = "use_dpop_nonce";
// RFC 7591 §3.2.2 (registration); RFC 6750 §3.1 for its bearer tokens (401).
inline constexpr std::string_view kInvalidRedirectUri = "invalid_redirect_uri";
inline constexpr std::string_view kInvalidClientMetadata = "invalid_client_metadata";
inline constexpr std::string_view kInvalidToken = "invalid_token";

struct OAuthError {
  OAuthError(std::string_view error_code, std::string text = "")
      : code(error_code), description(std::move(text)) {}

  std::string code;         // the `error` parameter, e.g. "invalid_grant"
  std::string description;  // `error_description`; may be empty
};

// A failure that is not the request's fault (the store or a lower service failed):
// temporarily_unavailable when retrying may help, server_error otherwise. No description:
// internal details never reach clients.
OAuthError UnexpectedFailure(const Status& status);

// A value or the protocol error to answer instead (Result<T>'s counterpart at the protocol's
// edge). E is OAuthError but for the authorization request, whose refusal also says where
// it may be sent (authorization_service.h).
template <typename T, typename E = OAuthError>
class [[nodiscard]] OAuthResult {
 public:
  OAuthResult(T value) : outcome_(std::move(value)) {}  // NOLINT: implicit by design
  OAuthResult(E error) : outcome_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(outcome_); }
  const E& error() const { return std::get<E>(outcome_); }

  T& value() & { return std::get<T>(outcome_); }
  const T& value() const& { return std::get<T>(outcome_); }
  T value() && { return std::get<T>(std::move(outcome_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, E> outcome_;
};

}  // namespace tessera::services
