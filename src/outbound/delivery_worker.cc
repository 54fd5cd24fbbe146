#include "outbound/delivery_worker.h"

#include <algorithm>

#include "base/enum_text.h"
#include "base/log.h"
#include "base/retry_delay.h"

namespace tessera::services {
namespace {

bool IsSuccess(long status) { return status >= 200 && status < 300; }

}  // namespace

DeliveryWorker::DeliveryWorker(store::DeliveryStore& store, OutboundHttp& http,
                               const Clock& clock, Metrics& metrics,
                               DeliveryWorkerOptions options)
    : store_(store), http_(http), clock_(clock), metrics_(metrics), options_(options) {}

DeliveryWorker::~DeliveryWorker() { Stop(); }

void DeliveryWorker::SetPreparer(store::DeliveryKind kind, DeliveryPreparer& preparer) {
  preparers_[kind] = &preparer;
}

void DeliveryWorker::Start() {
  if (!threads_.empty()) return;
  for (int i = 0; i < std::max(1, options_.senders); ++i) {
    threads_.emplace_back([this](std::stop_token st) { Loop(st); });
  }
}

void DeliveryWorker::Stop() {
  if (threads_.empty()) return;
  stopping_ = true;
  // Wakes the waits in Loop (condition_variable_any + stop_token).
  for (std::jthread& t : threads_) t.request_stop();
  for (std::jthread& t : threads_) t.join();
  threads_.clear();
}

// What became of one attempt; never throws, never loses the delivery.
store::DeliveryAttempt DeliveryWorker::Outcome(const store::Delivery& d) {
  store::DeliveryAttempt attempt;
  auto preparer = preparers_.find(d.kind);
  Result<std::optional<OutboundRequest>> request =
      preparer == preparers_.end()
          ? Result<std::optional<OutboundRequest>>(
                UnavailableError("no preparer for this kind on this node"))
          : preparer->second->Prepare(d);
  if (request.ok() && !request->has_value()) {
    attempt.state = store::DeliveryState::kDropped;
    attempt.error = "nothing to send any more";
    return attempt;
  }
  if (!request.ok()) {
    attempt.error = request.status().message();
  } else {
    Result<OutboundResponse> response = http_.Send(**request);
    if (!response.ok()) {
      attempt.error = response.status().message();
    } else {
      attempt.status = response->status;
      if (IsSuccess(response->status)) {
        attempt.state = store::DeliveryState::kDelivered;
        return attempt;
      }
      attempt.error = "the receiver answered " + std::to_string(response->status);
    }
  }
  const UnixMillis now = clock_.NowMillis();
  if (now - d.created_at >= options_.give_up_after_ms) {
    attempt.state = store::DeliveryState::kFailed;
  } else {
    attempt.retry_at =
        now + RetryDelayMs(d.attempts, options_.backoff_base_ms, options_.backoff_max_ms);
  }
  return attempt;
}

void DeliveryWorker::Attempt(const store::Delivery& d) {
  store::DeliveryAttempt attempt = Outcome(d);
  if (attempt.state == store::DeliveryState::kDelivered) {
    metrics_.deliveries_sent.Inc();
  } else if (attempt.state != store::DeliveryState::kDropped) {
    metrics_.delivery_failures.Inc();
  }
  Record(d, attempt);
}

void DeliveryWorker::Record(const store::Delivery& d, const store::DeliveryAttempt& attempt) {
  Status marked = store_.FinishAttempt(d.id, attempt, clock_.NowMillis());
  const bool ok = attempt.state == store::DeliveryState::kDelivered ||
                  attempt.state == store::DeliveryState::kDropped;
  LogJson(ok ? spdlog::level::info : spdlog::level::warn,
          ok ? "delivery_sent" : "delivery_failed",
          {{"id", d.id},
           {"kind", std::string(ToText(d.kind))},
           {"app", d.app_id},
           {"client_id", d.client_id},
           {"attempts", d.attempts},
           {"state", std::string(ToText(attempt.state))},
           {"status", attempt.status},
           {"error", attempt.error},
           {"retry_in_s", attempt.state == store::DeliveryState::kPending
                              ? (attempt.retry_at - clock_.NowMillis()) / 1000
                              : 0}});
  if (!marked.ok()) {
    // Still leased: it comes due again when the lease ends (at least once).
    LogJson(spdlog::level::err, "delivery_mark_failed",
            {{"id", d.id}, {"error", marked.ToString()}});
  }
}

Result<int> DeliveryWorker::RunOnce() {
  TESSERA_ASSIGN_OR_RETURN(
      std::vector<store::Delivery> due,
      store_.LeaseDueDeliveries(clock_.NowMillis(), options_.batch, options_.lease_ms));
  int tried = 0;
  for (const store::Delivery& d : due) {
    if (stopping_) {
      // Shutting down: hand the rest back now rather than at the end of the lease.
      (void)store_.FinishAttempt(
          d.id, {.error = "not attempted: shutting down", .retry_at = clock_.NowMillis()},
          clock_.NowMillis());
      continue;
    }
    Attempt(d);
    ++tried;
  }
  auto pending = store_.CountPendingDeliveries();
  if (pending.ok()) metrics_.deliveries_pending.Set(*pending);
  return tried;
}

void DeliveryWorker::Loop(std::stop_token stop) {
  LogJson(spdlog::level::info, "delivery_worker_started", {});
  while (!stop.stop_requested()) {
    Result<int> tried = RunOnce();
    if (!tried.ok()) {
      LogJson(spdlog::level::warn, "delivery_lease_failed",
              {{"error", tried.status().ToString()}});
    }
    // A full batch: there may be more due right now.
    if (tried.ok() && *tried >= options_.batch) continue;
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, stop, options_.poll, [] { return false; });
  }
}

}  // namespace tessera::services
