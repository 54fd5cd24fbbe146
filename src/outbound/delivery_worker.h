// File: delivery_worker.h
// The background sender of the HTTP delivery outbox (store::DeliveryStore). One thread per
// process, as the mail worker:
//   loop: lease up to 8 due deliveries (lease 2 min) → its kind's preparer makes the request
//         (a logout token is signed now) → send (OutboundHttp: TLS verified, no redirects,
//         public addresses only unless allowed) → 2xx: delivered; else pending again in
//         min(10 s · 2^(attempts-1), 1 h), or failed once a day has passed since it was
//         queued → sleep until 1 s passes (deliveries are queued by the store, on any node).
// A process that dies mid-send leaves its leased deliveries to come due again when the lease
// ends: delivery is at least once (a receiver may see one twice; a logout token's jti differs
// per attempt). Logs "delivery_sent" / "delivery_failed" with id, kind, app, client, attempts,
// status and error — never a token or a body.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "base/metrics.h"
#include "base/result.h"
#include "outbound/delivery_records.h"
#include "outbound/delivery_store.h"
#include "outbound/outbound_http.h"

namespace tessera::services {

// Makes the request of one kind of delivery when it is sent (its kind's domain knows how).
class DeliveryPreparer {
 public:
  virtual ~DeliveryPreparer() = default;
  // The request to send; nullopt when there is nothing to send any more (the delivery is
  // dropped: the client lost its URI, the app turned the feature off); an error (the
  // database is down) tries again later.
  virtual Result<std::optional<OutboundRequest>> Prepare(const store::Delivery& delivery) = 0;
};

struct DeliveryWorkerOptions {
  // Threads sending at once, each leasing its own batches: a receiver that makes every
  // request wait for the client's timeout holds up one sender, not the others.
  int senders = 4;
  int batch = 8;
  int64_t lease_ms = 120'000;  // > batch × the HTTP client's total timeout
  std::chrono::milliseconds poll{1000};
  int64_t backoff_base_ms = 10'000;
  int64_t backoff_max_ms = 3'600'000;
  int64_t give_up_after_ms = 24LL * 3600 * 1000;
};

class DeliveryWorker {
 public:
  DeliveryWorker(store::DeliveryStore& store, OutboundHttp& http, const Clock& clock,
                 Metrics& metrics, DeliveryWorkerOptions options = {});
  ~DeliveryWorker();  // Stop()
  DeliveryWorker(const DeliveryWorker&) = delete;
  DeliveryWorker& operator=(const DeliveryWorker&) = delete;

  // Before Start(): who prepares each kind. A kind without one is retried (a newer node
  // may know it) until it gives up.
  void SetPreparer(store::DeliveryKind kind, DeliveryPreparer& preparer);
  void Start();
  // Stops the threads; deliveries leased but not yet tried are handed back at once.
  void Stop();

  // One pass without the thread: leases what is due at the clock's now and tries it.
  // Returns how many it tried. For tests and the thread's loop.
  Result<int> RunOnce();

 private:
  void Loop(std::stop_token stop);
  void Attempt(const store::Delivery& delivery);
  store::DeliveryAttempt Outcome(const store::Delivery& delivery);
  void Record(const store::Delivery& delivery, const store::DeliveryAttempt& attempt);

  store::DeliveryStore& store_;
  OutboundHttp& http_;
  const Clock& clock_;
  Metrics& metrics_;
  const DeliveryWorkerOptions options_;
  std::map<store::DeliveryKind, DeliveryPreparer*> preparers_;

  std::mutex mu_;
  std::condition_variable_any cv_;
  std::atomic<bool> stopping_{false};
  std::vector<std::jthread> threads_;
};

}  // namespace tessera::services
