#include "accounts/password_hasher.h"

namespace tessera::services {

PasswordHasher::PasswordHasher(PasswordHasherOptions options, Metrics& metrics)
    : options_(options), metrics_(metrics) {
  options_.concurrency = std::max(1, options_.concurrency);
  options_.max_queue = std::max(0, options_.max_queue);
  auto hash = crypto::HashPassword("tessera timing equaliser", options_.params);
  dummy_hash_ = hash.ok() ? *hash : std::string();
}

Status PasswordHasher::Acquire() {
  std::unique_lock lock(mu_);
  if (running_ >= options_.concurrency) {
    if (waiting_ >= options_.max_queue) {
      metrics_.password_hash_shed.Inc();
      return ResourceExhaustedError("too many password checks in progress; retry shortly");
    }
    ++waiting_;
    cv_.wait(lock, [&] { return running_ < options_.concurrency; });
    --waiting_;
  }
  ++running_;
  return OkStatus();
}

void PasswordHasher::Release() {
  {
    std::lock_guard lock(mu_);
    --running_;
  }
  cv_.notify_one();
}

Result<std::string> PasswordHasher::Hash(std::string_view password) {
  TESSERA_RETURN_IF_ERROR(Acquire());
  auto result = crypto::HashPassword(password, options_.params);
  Release();
  return result;
}

Result<crypto::PasswordMatch> PasswordHasher::Verify(std::string_view password,
                                                     std::string_view stored) {
  TESSERA_RETURN_IF_ERROR(Acquire());
  auto match = crypto::VerifyPassword(password, stored, options_.params);
  Release();
  return match;
}

Status PasswordHasher::VerifyNothing(std::string_view password) {
  TESSERA_RETURN_IF_ERROR(Verify(password, dummy_hash_).status());
  return UnauthenticatedError("invalid credentials");
}

}  // namespace tessera::services
