#include "accounts/login_throttle.h"

#include <algorithm>

#include "base/log.h"
#include "crypto/digest.h"

namespace tessera::services {

std::string LoginThrottle::AccountKey(const store::App& app, std::string_view identifier) const {
  std::string id(identifier);
  std::transform(id.begin(), id.end(), id.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return options_.key_prefix + "account:" + crypto::Sha256Hex(app.id + "\n" + id);
}

std::string TryAgainIn(int64_t wait_s) {
  int64_t minutes = (wait_s + 59) / 60;
  return "Try again in " + std::to_string(minutes) + (minutes == 1 ? " minute." : " minutes.");
}

std::string LoginThrottle::IpKey(const store::App& app, std::string_view ip) const {
  return options_.key_prefix + "ip:" + crypto::Sha256Hex(app.id + "\n" + std::string(ip));
}

Status LoginThrottle::CheckKey(const std::string& key, int64_t limit, int64_t now) {
  int64_t window_ms = options_.window_s * 1000;
  TESSERA_ASSIGN_OR_RETURN(store::ThrottleState st, store_.GetThrottle(key, now, window_ms));
  if (st.failures < limit) return OkStatus();
  int64_t wait_s = std::max<int64_t>(1, (st.window_start + window_ms - now + 999) / 1000);
  return RateLimitedError("Too many failed " + options_.attempts + ". " + TryAgainIn(wait_s), wait_s);
}

Status LoginThrottle::Check(const store::App& app, std::string_view identifier,
                            std::string_view ip) {
  int64_t now = clock_.NowMillis();
  TESSERA_RETURN_IF_ERROR(CheckKey(AccountKey(app, identifier), options_.max_failures_per_account, now));
  if (!ip.empty()) TESSERA_RETURN_IF_ERROR(CheckKey(IpKey(app, ip), options_.max_failures_per_ip, now));
  return OkStatus();
}

// Best effort: a store failure here must not turn a wrong password into a 500.
void LoginThrottle::RecordFailure(const store::App& app, std::string_view identifier,
                                  std::string_view ip) {
  int64_t now = clock_.NowMillis();
  int64_t window_ms = options_.window_s * 1000;
  auto account = store_.AddThrottleFailure(AccountKey(app, identifier), now, window_ms);
  if (account.ok() && account->failures == options_.max_failures_per_account) {
    LogJson(spdlog::level::warn, "login_throttled",
            {{"app", app.slug}, {"by", "account"}, {"attempts", options_.attempts}});
  }
  if (!ip.empty()) {
    auto by_ip = store_.AddThrottleFailure(IpKey(app, ip), now, window_ms);
    if (by_ip.ok() && by_ip->failures == options_.max_failures_per_ip) {
      LogJson(spdlog::level::warn, "login_throttled",
              {{"app", app.slug}, {"by", "ip"}, {"ip", ip}, {"attempts", options_.attempts}});
    }
  }
}

void LoginThrottle::RecordSuccess(const store::App& app, std::string_view identifier) {
  (void)store_.ClearThrottle(AccountKey(app, identifier));
}

}  // namespace tessera::services
