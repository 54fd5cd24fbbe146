#include "oauth/device_code_grant.h"

#include <optional>

#include "crypto/digest.h"
#include "crypto/random.h"
#include "oauth/device_authorization_service.h"

namespace tessera::services {
namespace {

// RFC 8628 §3.5.
constexpr std::string_view kAuthorizationPending = "authorization_pending";
constexpr std::string_view kExpiredToken = "expired_token";
constexpr int64_t kSlowDownStepS = 5;
// A poll this much early still counts as on time: timers and clocks are not exact.
constexpr int64_t kPollToleranceMs = 250;

using Status_ = store::DeviceAuthorizationStatus;

// What one poll found, decided inside the update (so two racing polls cannot both redeem).
struct PollVerdict {
  std::optional<OAuthError> error;
  std::optional<store::DeviceAuthorization> approved;  // redeemed by this poll
};

}  // namespace

std::string_view DeviceCodeGrant::type() const { return kDeviceCodeGrantType; }

bool DeviceCodeGrant::EnabledFor(const store::App& app) const {
  return DeviceAuthorizationService::EnabledFor(app);
}

OAuthResult<GrantedTokens> DeviceCodeGrant::Issue(const GrantRequest& request) {
  std::string device_code = request.Param("device_code");
  if (device_code.empty()) return OAuthError(kInvalidRequest, "device_code is required");
  OAuthError unknown(kInvalidGrant, "invalid device_code");
  if (!crypto::IsSecretTokenShaped(device_code, kDeviceCodePrefix)) return unknown;
  int64_t now = clock_.NowMillis();
  PollVerdict verdict;
  auto polled = store_.UpdateDeviceAuthorization(
      request.app.id, store::DeviceAuthorizationStore::CodeKind::kDeviceCode,
      crypto::TokenHash(device_code), [&](store::DeviceAuthorization& d) -> Status {
        verdict = {};
        if (d.client_id != request.client.client_id) {
          verdict.error = unknown;  // another client's code: as if unknown, and left untouched
          return OkStatus();
        }
        if (d.status == Status_::kRedeemed) {
          verdict.error = OAuthError(kInvalidGrant, "the device code was already used");
        } else if (d.expires_at <= now) {
          verdict.error = OAuthError(kExpiredToken, "the device code has expired; start again");
        } else if (d.status == Status_::kDenied) {
          verdict.error = OAuthError(kAccessDenied, "the user denied the request");
        } else if (d.status == Status_::kApproved) {
          d.status = Status_::kRedeemed;
          verdict.approved = d;
        } else if (d.last_polled_at > 0 &&
                   now - d.last_polled_at < d.interval_s * 1000 - kPollToleranceMs) {
          d.interval_s += kSlowDownStepS;
          verdict.error = OAuthError(kSlowDown, "poll at most every " +
                                                    std::to_string(d.interval_s) + " seconds");
        } else {
          verdict.error = OAuthError(kAuthorizationPending, "the user has not decided yet");
        }
        d.last_polled_at = now;
        return OkStatus();
      });
  if (polled.status().IsNotFound()) return unknown;
  if (!polled.ok()) return UnexpectedFailure(polled.status());
  if (verdict.error) return std::move(*verdict.error);
  const store::DeviceAuthorization& d = *verdict.approved;
  return start_.Start(request, {.session_id = d.session_id,
                                .user_id = d.user_id,
                                .scope = d.scope,
                                .nonce = "",
                                .auth_time = d.auth_time,
                                .amr = d.amr,
                                .idp = d.idp});
}

}  // namespace tessera::services
