// File: login_throttle.h
// Slows down password guessing (NIST SP 800-63B §5.2.2): failed sign-ins are counted per
// account and per client IP, within a fixed window kept in the store (so every node sees the
// same counts). Over a limit, further attempts are refused before any password is checked,
// with the time to wait. The account counter is keyed by a `subject` the caller names
// (AccountService::ThrottleSubject): the account when the identifier resolves to one — its
// email and username, in any spacing or case, share one budget — else the normalised
// identifier, so known and unknown identifiers are limited alike and a refusal reveals
// nothing about existence. Keys are SHA-256 digests: the table holds no email addresses. A
// success clears the account counter, not the IP one (a guesser with one valid account must
// not reset its budget).
#pragma once

#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/result.h"
#include "accounts/throttle_store.h"
#include "tenancy/tenancy_records.h"

namespace tessera::services {

// "Try again in N minutes." for a refusal that lasts `wait_s` seconds.
std::string TryAgainIn(int64_t wait_s);

struct LoginThrottleOptions {
  int64_t window_s = 15 * 60;
  int64_t max_failures_per_account = 10;
  int64_t max_failures_per_ip = 100;
  // Another guessable secret counted the same way (the device flow's user codes) has budgets
  // of its own: its keys start with `key_prefix`, and a refusal names `attempts`.
  std::string key_prefix{};
  std::string attempts = "sign-in attempts";
};

class LoginThrottle {
 public:
  LoginThrottle(store::ThrottleStore& store, const Clock& clock, LoginThrottleOptions options)
      : store_(store), clock_(clock), options_(options) {}

  // kRateLimited (with retry_after_s) when the account or the IP is over its limit.
  Status Check(const store::App& app, std::string_view subject, std::string_view ip);
  void RecordFailure(const store::App& app, std::string_view subject, std::string_view ip);
  void RecordSuccess(const store::App& app, std::string_view subject);

 private:
  Status CheckKey(const std::string& key, int64_t limit, int64_t now);
  std::string AccountKey(const store::App& app, std::string_view subject) const;
  std::string IpKey(const store::App& app, std::string_view ip) const;

  store::ThrottleStore& store_;
  const Clock& clock_;
  LoginThrottleOptions options_;
};

}  // namespace tessera::services
