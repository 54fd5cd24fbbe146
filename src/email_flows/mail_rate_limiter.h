// File: mail_rate_limiter.h
// Limits on everything that sends mail, per recipient address and per client IP, so that
// Tessera can be used neither to flood a mailbox nor as a spam cannon. Counted in the store
// (every node sees the same counts) under hashed keys; an address is counted whether or not
// it has an account, so a refusal reveals nothing.
#pragma once

#include <string_view>

#include "base/clock.h"
#include "base/result.h"
#include "accounts/throttle_store.h"
#include "tenancy/tenancy_records.h"

namespace tessera::services {

struct MailRateOptions {
  int64_t window_s = 3600;
  int64_t max_per_address = 5;
  int64_t max_per_ip = 30;
};

class MailRateLimiter {
 public:
  MailRateLimiter(store::ThrottleStore& store, const Clock& clock, MailRateOptions options)
      : store_(store), clock_(clock), options_(options) {}
  // Counts one mail to `address` from `ip`; kRateLimited (with retry_after_s) when either is
  // over its limit — then nothing should be sent.
  Status Acquire(const store::App& app, std::string_view address, std::string_view ip);

 private:
  store::ThrottleStore& store_;
  const Clock& clock_;
  MailRateOptions options_;
};

}  // namespace tessera::services
