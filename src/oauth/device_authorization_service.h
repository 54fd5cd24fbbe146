// File: device_authorization_service.h
// The device authorization grant (RFC 8628) up to the user's decision; polling for the tokens
// is device_code_grant.h. A device (a TV, a command-line tool) asks for an authorization
// (§3.1–3.2) and shows the user a short user_code and where to enter it; the user, signed in
// on a phone or computer, enters it on the hosted page (oauth/endpoints/device_pages.h),
// sees which client asks for what, and approves or denies (§3.3).
//
// The user code is the guessable part: 8 letters of 20 consonants (RFC 8628 §6.1, ~34.5
// bits), typed in any case with or without the dash. Wrong codes are counted per user and per
// IP (a LoginThrottle of their own), so guessing a live code is limited long before it is
// likely (§5.1). A code found is shown with its client and scopes and must be confirmed, even
// when it came in the verification_uri_complete link (§5.4: remote phishing).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "accounts/login_throttle.h"
#include "audit/audit_log.h"
#include "base/clock.h"
#include "base/result.h"
#include "oauth/authorization_service.h"
#include "oauth/client_service.h"
#include "oauth/oauth_error.h"
#include "oauth/oauth_records.h"
#include "oauth/oauth_store.h"
#include "sessions/session_records.h"
#include "tenancy/tenancy_records.h"

namespace tessera::services {

struct DeviceAuthorizationOptions {
  int64_t ttl_s = 600;     // how long the user has to enter the code (§3.2 expires_in)
  int64_t interval_s = 5;  // the least time between polls (§3.2 interval)
};

// The §3.2 answer.
struct StartedDeviceAuthorization {
  std::string device_code;  // "tdc_" + 43 base64url characters
  std::string user_code;    // as shown: "WDJB-MJHT"
  int64_t expires_in = 0;
  int64_t interval = 0;
};

// A pending authorization as the hosted page shows it for confirmation.
struct PendingDeviceAuthorization {
  std::string user_code;  // as shown
  store::OAuthClient client;
  std::vector<std::string> scopes;
};

class DeviceAuthorizationService {
 public:
  // `code_guesses` counts wrong user codes, `starts` every new authorization, per client and
  // per IP (each with its own keys and budgets, not the sign-in's).
  DeviceAuthorizationService(store::DeviceAuthorizationStore& store, ClientService& clients,
                             AuthorizationService& consents, LoginThrottle& code_guesses,
                             LoginThrottle& starts, const Clock& clock,
                             DeviceAuthorizationOptions options = {}, AuditLog* audit = nullptr)
      : store_(store), clients_(clients), consents_(consents), code_guesses_(code_guesses),
        starts_(starts), clock_(clock), options_(options), audit_(audit) {}

  // Whether the app has the grant on (its device_flow setting).
  static bool EnabledFor(const store::App& app);

  // §3.1: an authenticated (or, public, identified) client asks for `scope` ("" = the client's
  // default scopes, as at the authorization endpoint). unauthorized_client when the app has
  // the grant off or the client is not registered for it; invalid_scope as at /authorize;
  // slow_down when the client or the IP started too many lately (the `starts` budget: rows
  // are cheap, but not free).
  OAuthResult<StartedDeviceAuthorization> Start(const store::App& app,
                                                const store::OAuthClient& client,
                                                std::string_view scope, const ClientInfo& who);

  // The live, undecided authorization whose user code the user typed. Wrong, malformed,
  // expired and already decided codes are all kNotFound ("not valid"), and count against the
  // user's (`user_id`, "" before sign-in) and the IP's budget; over it: kRateLimited with
  // retry_after_s, before any lookup.
  Result<PendingDeviceAuthorization> FindPending(const store::App& app, std::string_view typed,
                                                 std::string_view user_id, const ClientInfo& who);

  // The signed-in user's decision on the authorization with this user code (as FindPending
  // found it). Approving remembers the consent and what the grant starts from; kNotFound when
  // the code is no longer pending (decided meanwhile, or expired).
  Status Approve(const store::App& app, std::string_view typed, const store::Session& browser,
                 const ClientInfo& who);
  Status Deny(const store::App& app, std::string_view typed, const store::Session& browser,
              const ClientInfo& who);

  // The code as stored ("WDJBMJHT"): upper case, without dashes and spaces; nullopt when it
  // cannot be one of ours.
  static std::optional<std::string> NormalizeUserCode(std::string_view typed);
  // As shown: "WDJB-MJHT".
  static std::string FormatUserCode(std::string_view normalized);

 private:
  // A new user code and its record; draws again on the rare clash.
  Result<std::string> CreateWithFreshUserCode(store::DeviceAuthorization& record);
  Status Decide(const store::App& app, std::string_view typed, const store::Session& browser,
                const ClientInfo& who, bool approve);

  store::DeviceAuthorizationStore& store_;
  ClientService& clients_;
  AuthorizationService& consents_;
  LoginThrottle& code_guesses_;
  LoginThrottle& starts_;
  const Clock& clock_;
  DeviceAuthorizationOptions options_;
  AuditLog* audit_;  // may be null
};

inline constexpr std::string_view kDeviceCodePrefix = "tdc_";
inline constexpr std::string_view kSlowDown = "slow_down";  // RFC 8628 §3.5
inline constexpr std::string_view kDeviceCodeGrantType = "urn:ietf:params:oauth:grant-type:device_code";

}  // namespace tessera::services
