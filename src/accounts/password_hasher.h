// File: password_hasher.h
// Runs argon2id hashing and verification with bounded concurrency and admission by expected
// wait. Each hash costs ~19 MiB and tens of milliseconds, so an unbounded login flood would
// exhaust memory and CPU; instead at most `concurrency` run at once, callers queue (first
// come, first served) while their expected wait fits in `max_wait` (hash_admission.h, from a
// running estimate of the hash time), and any other caller gets kResourceExhausted at once
// with a Retry-After (the API answers 503). One client IP (the request origin) cannot hold
// more than its fair share of the queue while others are waiting to get in.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "accounts/hash_admission.h"
#include "base/metrics.h"
#include "base/result.h"
#include "crypto/password_hash.h"

namespace tessera::services {

struct PasswordHasherOptions {
  crypto::Argon2Params params;
  int concurrency = 2;  // default: the number of cores
  // Hard bound on waiting callers: each waits on a hashing worker thread, which the app
  // sizes from it (concurrency + max_queue + 2), so waiting sign-ins never take the workers
  // that token endpoints use.
  int max_queue = 32;
  std::chrono::milliseconds max_wait{2000};  // longest expected wait a caller is queued for
};

class PasswordHasher {
 public:
  PasswordHasher(PasswordHasherOptions options, Metrics& metrics);

  Result<std::string> Hash(std::string_view password);
  Result<crypto::PasswordMatch> Verify(std::string_view password, std::string_view stored);
  // Spends the time of a real verification and always fails: used for unknown accounts so
  // that "no such user" and "wrong password" take the same time.
  Status VerifyNothing(std::string_view password);

  const crypto::Argon2Params& params() const { return options_.params; }
  double EstimatedHashSeconds() const;

 private:
  // Waits for a slot; kResourceExhausted (with Retry-After) when not admitted.
  Status Acquire();
  void Release(std::chrono::steady_clock::duration took);
  Status Shed(HashVerdict verdict);  // REQUIRES(mu_)

  PasswordHasherOptions options_;
  HashAdmission admission_;
  Metrics& metrics_;
  std::string dummy_hash_;  // constant after construction
  mutable std::mutex mu_;
  std::condition_variable cv_;
  HashTimeEstimate estimate_;                         // GUARDED_BY(mu_)
  int running_ = 0;                                   // GUARDED_BY(mu_)
  int waiting_ = 0;                                   // GUARDED_BY(mu_)
  uint64_t next_ticket_ = 0;                          // GUARDED_BY(mu_); FIFO order
  uint64_t serving_ = 0;                              // GUARDED_BY(mu_)
  std::unordered_map<std::string, int> waiting_by_ip_;  // GUARDED_BY(mu_); ≤ max_queue keys
};

}  // namespace tessera::services
