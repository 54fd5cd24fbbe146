// File: hash_admission.h
// Who may wait for a password hash (issue 12, "Overload behaviour"). A fixed queue length
// shed a sign-in at the 9th waiter even when the wait would have been a third of a second;
// the rule is now the wait itself: a caller is admitted while the wait it can expect —
// the callers queued ahead of it, served `concurrency` at a time, plus its own hash — fits
// in `max_wait`, and never beyond `max_queue` waiters (each holds a hashing worker thread).
// Fairness: one client IP holding its share of the queue (max(2, capacity / 4)) is admitted
// only while that share stays free for everyone else, so a flooder cannot fill it.
// Pure arithmetic over the current counts and the hash-time estimate: the unit tests give
// it made-up estimates, PasswordHasher gives it the measured one.
#pragma once

#include <chrono>
#include <cstdint>

namespace tessera::services {

enum class HashVerdict { kAdmit, kTooLong, kOverFairShare };

class HashAdmission {
 public:
  HashAdmission(int concurrency, int max_queue, std::chrono::milliseconds max_wait);

  // How many callers may wait at once when one hash takes `hash_s` seconds.
  int Capacity(double hash_s) const;
  // How many of them one client IP may hold while the queue is busy.
  static int FairShare(int capacity);
  // The verdict for a caller who would queue behind `waiting` callers, `waiting_for_ip` of
  // them from its own IP (called only when no hash slot is free for it at once).
  HashVerdict Decide(int waiting, int waiting_for_ip, double hash_s) const;
  // The Retry-After of a refusal: when the queue ahead of it should have drained.
  int64_t RetryAfterSeconds(int waiting, double hash_s) const;

 private:
  int concurrency_;
  int max_queue_;
  double max_wait_s_;
};

// A running estimate of one hash's duration: an exponentially weighted moving average, so a
// slower machine or a busier one is followed within a few hashes. Not thread-safe (the
// hasher updates it under its lock).
class HashTimeEstimate {
 public:
  explicit HashTimeEstimate(double initial_s) : seconds_(initial_s) {}
  void Observe(double seconds) { seconds_ += kWeight * (seconds - seconds_); }
  double seconds() const { return seconds_; }

 private:
  static constexpr double kWeight = 0.2;  // the last ~5 hashes dominate
  double seconds_;
};

}  // namespace tessera::services
