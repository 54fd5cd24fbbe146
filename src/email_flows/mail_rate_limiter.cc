#include "email_flows/mail_rate_limiter.h"

#include <algorithm>

#include "crypto/digest.h"

namespace tessera::services {

Status MailRateLimiter::Acquire(const store::App& app, std::string_view address,
                                std::string_view ip) {
  int64_t now = clock_.NowMillis();
  int64_t window_ms = options_.window_s * 1000;
  auto check = [&](const std::string& key, int64_t limit) -> Status {
    TESSERA_ASSIGN_OR_RETURN(store::ThrottleState st, store_.GetThrottle(key, now, window_ms));
    if (st.failures < limit) return OkStatus();
    int64_t wait_s = std::max<int64_t>(1, (st.window_start + window_ms - now + 999) / 1000);
    int64_t minutes = (wait_s + 59) / 60;
    return RateLimitedError("Too many emails requested. Try again in " + std::to_string(minutes) +
                                (minutes == 1 ? " minute." : " minutes."),
                            wait_s);
  };
  std::string address_key = "mail-to:" + crypto::Sha256Hex(app.id + "\n" + std::string(address));
  std::string ip_key = "mail-ip:" + crypto::Sha256Hex(app.id + "\n" + std::string(ip));
  TESSERA_RETURN_IF_ERROR(check(address_key, options_.max_per_address));
  if (!ip.empty()) TESSERA_RETURN_IF_ERROR(check(ip_key, options_.max_per_ip));
  TESSERA_RETURN_IF_ERROR(store_.AddThrottleFailure(address_key, now, window_ms).status());
  if (!ip.empty()) TESSERA_RETURN_IF_ERROR(store_.AddThrottleFailure(ip_key, now, window_ms).status());
  return OkStatus();
}

}  // namespace tessera::services
