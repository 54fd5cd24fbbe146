// File: connection_pool.h
// A fixed set of connections handed out one caller at a time; callers wait when all are busy.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

namespace tessera::store::sql {

template <typename Conn>
class ConnectionPool {
 public:
  void Add(std::unique_ptr<Conn> conn) {
    std::lock_guard lock(mu_);
    all_.push_back(std::move(conn));
    idle_.push_back(all_.back().get());
  }

  // Lease: returns its connection to the pool when destroyed.
  class Lease {
   public:
    Lease(ConnectionPool* pool, Conn* conn) : pool_(pool), conn_(conn) {}
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() { pool_->Release(conn_); }
    Conn& operator*() const { return *conn_; }
    Conn* operator->() const { return conn_; }

   private:
    ConnectionPool* pool_;
    Conn* conn_;
  };

  Lease Acquire() {
    std::unique_lock lock(mu_);
    if (idle_.empty()) {
      ++waiters_;
      cv_.wait(lock, [&] { return !idle_.empty(); });
      --waiters_;
    }
    Conn* c = idle_.back();
    idle_.pop_back();
    return Lease(this, c);
  }

 private:
  void Release(Conn* c) {
    bool wake;
    {
      std::lock_guard lock(mu_);
      idle_.push_back(c);
      wake = waiters_ > 0;
    }
    if (wake) cv_.notify_one();  // no futex call on the common, uncontended path
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Conn>> all_;  // owns every connection
  std::vector<Conn*> idle_;                 // GUARDED_BY(mu_)
  int waiters_ = 0;                         // GUARDED_BY(mu_)
};

}  // namespace tessera::store::sql
