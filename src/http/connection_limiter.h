// File: connection_limiter.h
// The cap on client connections (issue 12). With no cap, idle sockets used up the file
// descriptors; accept then failed with EMFILE at once, again and again (93% of a core) and
// /healthz timed out. Now at most `max_connections` are open: a connection accepted at the
// cap takes the place of the one that has been idle longest (a keep-alive connection between
// requests, or one that never sent a byte), and when none is idle it is closed at once
// (refused). So a new request — /healthz among them — still gets in while sockets merely sit
// open, and the descriptors the process needs for its database files, PostgreSQL, mail and
// logs stay free. Thread-safe; eviction runs the connection's own `evict` callback (which
// closes its socket on the connection's strand).
#pragma once

#include <cstddef>
#include <functional>
#include <list>
#include <memory>
#include <mutex>

#include "base/metrics.h"

namespace tessera::http {

class ConnectionLimiter {
 public:
  class Slot {
   public:
    // How to close this connection when it is evicted; set before it is first idle.
    void SetEvictor(std::function<void()> evict) { evict_ = std::move(evict); }

   private:
    friend class ConnectionLimiter;
    std::function<void()> evict_;
    bool idle_ = false;     // GUARDED_BY(limiter mu_)
    bool evicted_ = false;  // GUARDED_BY(limiter mu_)
    std::list<Slot*>::iterator idle_pos_;
  };

  ConnectionLimiter(size_t max_connections, Metrics& metrics);

  // A slot for a connection just accepted, evicting the longest-idle connection at the cap;
  // nullptr when the cap is reached and every connection is busy (close the new one).
  std::shared_ptr<Slot> Admit();
  void Idle(Slot& slot);     // waiting for its next request: may be evicted, oldest first
  void Busy(Slot& slot);     // reading or answering a request
  void Release(Slot& slot);  // closed
  // Closes the longest-idle connection (when descriptors ran out); false when none is idle.
  bool EvictOldestIdle();

  size_t open() const;
  size_t max_connections() const { return max_; }

 private:
  // Unlinks the oldest idle slot and returns its evictor; REQUIRES(mu_), idle_ non-empty.
  std::function<void()> TakeOldestIdle();

  const size_t max_;
  Metrics& metrics_;
  mutable std::mutex mu_;
  size_t open_ = 0;          // GUARDED_BY(mu_); evicted connections no longer count
  std::list<Slot*> idle_;    // GUARDED_BY(mu_); front = idle longest
};

}  // namespace tessera::http
