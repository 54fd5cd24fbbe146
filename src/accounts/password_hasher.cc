#include "accounts/password_hasher.h"

#include "base/request_origin.h"

namespace tessera::services {
namespace {

using SteadyClock = std::chrono::steady_clock;

double Seconds(SteadyClock::duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

PasswordHasher::PasswordHasher(PasswordHasherOptions options, Metrics& metrics)
    : options_(options),
      admission_(options.concurrency, options.max_queue, options.max_wait),
      metrics_(metrics),
      estimate_(0) {
  options_.concurrency = std::max(1, options_.concurrency);
  options_.max_queue = std::max(0, options_.max_queue);
  // The dummy hash is also the first measurement of the hash time (uncontended: the estimate
  // rises to the real figure within a few hashes under load).
  auto start = SteadyClock::now();
  auto hash = crypto::HashPassword("tessera timing equaliser", options_.params);
  estimate_ = HashTimeEstimate(Seconds(SteadyClock::now() - start));
  metrics_.password_hash_estimate_us.Set(static_cast<int64_t>(estimate_.seconds() * 1e6));
  dummy_hash_ = hash.ok() ? *hash : std::string();
}

double PasswordHasher::EstimatedHashSeconds() const {
  std::lock_guard lock(mu_);
  return estimate_.seconds();
}

Status PasswordHasher::Shed(HashVerdict verdict) {
  metrics_.password_hash_shed.Inc();
  if (verdict == HashVerdict::kOverFairShare) metrics_.password_hash_shed_fair_share.Inc();
  return ResourceExhaustedError("too many password checks in progress; retry shortly")
      .WithRetryAfter(admission_.RetryAfterSeconds(waiting_, estimate_.seconds()));
}

// First come, first served: a slot goes to the oldest ticket, so the expected wait the
// admission promised holds (a condition variable alone wakes waiters in any order).
Status PasswordHasher::Acquire() {
  const std::string& ip = CurrentRequestOrigin().ip;
  std::unique_lock lock(mu_);
  if (running_ < options_.concurrency && waiting_ == 0) {
    ++running_;
    return OkStatus();
  }
  auto ip_entry = waiting_by_ip_.find(ip);
  int for_ip = ip_entry == waiting_by_ip_.end() ? 0 : ip_entry->second;
  HashVerdict verdict = admission_.Decide(waiting_, for_ip, estimate_.seconds());
  if (verdict != HashVerdict::kAdmit) return Shed(verdict);
  uint64_t ticket = next_ticket_++;
  ++waiting_;
  ++waiting_by_ip_[ip];
  cv_.wait(lock, [&] { return serving_ == ticket && running_ < options_.concurrency; });
  ++serving_;
  --waiting_;
  if (auto it = waiting_by_ip_.find(ip); --it->second == 0) waiting_by_ip_.erase(it);
  ++running_;
  lock.unlock();
  cv_.notify_all();  // the next ticket may also find a free slot
  return OkStatus();
}

void PasswordHasher::Release(SteadyClock::duration took) {
  {
    std::lock_guard lock(mu_);
    --running_;
    estimate_.Observe(Seconds(took));
    metrics_.password_hash_estimate_us.Set(static_cast<int64_t>(estimate_.seconds() * 1e6));
  }
  cv_.notify_all();  // only the oldest ticket proceeds; the rest wait on
}

Result<std::string> PasswordHasher::Hash(std::string_view password) {
  TESSERA_RETURN_IF_ERROR(Acquire());
  auto start = SteadyClock::now();
  auto result = crypto::HashPassword(password, options_.params);
  Release(SteadyClock::now() - start);
  return result;
}

Result<crypto::PasswordMatch> PasswordHasher::Verify(std::string_view password,
                                                     std::string_view stored) {
  TESSERA_RETURN_IF_ERROR(Acquire());
  auto start = SteadyClock::now();
  auto match = crypto::VerifyPassword(password, stored, options_.params);
  Release(SteadyClock::now() - start);
  return match;
}

Status PasswordHasher::VerifyNothing(std::string_view password) {
  TESSERA_RETURN_IF_ERROR(Verify(password, dummy_hash_).status());
  return UnauthenticatedError("invalid credentials");
}

}  // namespace tessera::services
