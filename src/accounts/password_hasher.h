// File: password_hasher.h
// Runs argon2id hashing and verification with bounded concurrency and a bounded queue.
// Each hash costs ~19 MiB and tens of milliseconds, so an unbounded login flood would exhaust
// memory and CPU; instead at most `concurrency` run at once, at most `max_queue` callers wait,
// and any further caller gets kResourceExhausted at once (the API answers 503 + Retry-After).
#pragma once

#include <condition_variable>
#include <mutex>
#include <string>
#include <string_view>

#include "base/metrics.h"
#include "base/result.h"
#include "crypto/password_hash.h"

namespace tessera::services {

struct PasswordHasherOptions {
  crypto::Argon2Params params;
  int concurrency = 2;  // default: the number of cores
  int max_queue = 8;    // keep below the worker count so other requests still get workers
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

 private:
  // Waits for a slot; kResourceExhausted when the queue is full.
  Status Acquire();
  void Release();

  PasswordHasherOptions options_;
  Metrics& metrics_;
  std::string dummy_hash_;  // constant after construction
  std::mutex mu_;
  std::condition_variable cv_;
  int running_ = 0;  // GUARDED_BY(mu_)
  int waiting_ = 0;  // GUARDED_BY(mu_)
};

}  // namespace tessera::services
