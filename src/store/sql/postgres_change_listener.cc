#include "store/sql/postgres_change_listener.h"

#include <libpq-fe.h>
#include <poll.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stop_token>
#include <thread>

#include "base/log.h"

namespace tessera::store::sql {
namespace {

using namespace std::chrono_literals;

// How long one wait for a notice lasts: also how soon a stop is seen and how often an idle
// connection is checked (a server that vanished without closing the socket).
constexpr auto kWaitSlice = 1s;
constexpr auto kCheckIdleEvery = 15s;
constexpr auto kReconnectEvery = 1s;

class Listener final : public PostgresChangeListener {
 public:
  Listener(std::string url, ChangeNotices& notices, Metrics* metrics)
      : url_(std::move(url)), notices_(notices), metrics_(metrics) {
    thread_ = std::jthread([this](std::stop_token stop) { Run(stop); });
  }
  ~Listener() override {
    thread_.request_stop();
    wake_.notify_all();
    thread_.join();
    Close();
  }
  bool listening() const override { return listening_.load(); }

 private:
  void Run(std::stop_token stop) {
    bool ever_connected = false;
    while (!stop.stop_requested()) {
      if (!conn_) {
        if (!Connect()) {
          Sleep(stop, kReconnectEvery);
          continue;
        }
        // Notices sent while nobody listened are lost: every cache starts over (the first
        // connection too, for what changed between the caches' first reads and the LISTEN).
        notices_.DeliverAll();
        if (ever_connected) LogJson(spdlog::level::info, "change_listener_reconnected");
        ever_connected = true;
      }
      if (!WaitAndDrain()) Drop();
    }
  }

  bool Connect() {
    conn_ = PQconnectdb(url_.c_str());
    if (PQstatus(conn_) == CONNECTION_OK) {
      std::string listen = "LISTEN " + std::string(kChangeChannel);
      PGresult* res = PQexec(conn_, listen.c_str());
      bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
      PQclear(res);
      if (ok) {
        SetListening(true);
        last_seen_ = std::chrono::steady_clock::now();
        return true;
      }
    }
    Close();
    return false;
  }

  // False when the connection is gone.
  bool WaitAndDrain() {
    pollfd fd{PQsocket(conn_), POLLIN, 0};
    if (fd.fd < 0) return false;
    int ready = poll(&fd, 1, static_cast<int>(std::chrono::milliseconds(kWaitSlice).count()));
    if (ready < 0) return errno == EINTR;
    if (ready == 0) return CheckIdle();
    if (!PQconsumeInput(conn_)) return false;
    last_seen_ = std::chrono::steady_clock::now();
    DeliverReceived();
    return PQstatus(conn_) == CONNECTION_OK;
  }

  // A quiet connection is asked a trivial question now and then: a server that died
  // without closing the socket (a network partition) must not leave the node deaf for good.
  bool CheckIdle() {
    auto now = std::chrono::steady_clock::now();
    if (now - last_seen_ < kCheckIdleEvery) return true;
    PGresult* res = PQexec(conn_, "SELECT 1");
    bool ok = PQresultStatus(res) == PGRES_TUPLES_OK;
    PQclear(res);
    last_seen_ = now;
    DeliverReceived();  // PQexec may have read notices along with the answer
    return ok;
  }

  void Drop() {
    LogJson(spdlog::level::warn, "change_listener_disconnected",
            {{"detail", "caches fall back on their own lifetimes until it is back"}});
    Close();
  }

  void SetListening(bool on) {
    listening_ = on;
    if (metrics_) metrics_->change_listener_up.Set(on ? 1 : 0);
  }

  // Hands on every notice libpq has read.
  void DeliverReceived() {
    while (PGnotify* n = PQnotifies(conn_)) {
      if (metrics_) metrics_->change_notices_received.Inc();
      notices_.Deliver(n->extra);
      PQfreemem(n);
    }
  }

  void Close() {
    SetListening(false);
    if (conn_) PQfinish(conn_);
    conn_ = nullptr;
  }

  void Sleep(std::stop_token& stop, std::chrono::milliseconds d) {
    std::unique_lock lock(mu_);
    wake_.wait_for(lock, stop, d, [] { return false; });
  }

  std::string url_;
  ChangeNotices& notices_;
  Metrics* metrics_;
  PGconn* conn_ = nullptr;  // only the thread touches it (and the destructor after the join)
  std::chrono::steady_clock::time_point last_seen_;
  std::atomic<bool> listening_{false};
  std::mutex mu_;
  std::condition_variable_any wake_;
  std::jthread thread_;  // last: started once everything above exists
};

}  // namespace

std::unique_ptr<PostgresChangeListener> ListenForChanges(std::string url, ChangeNotices& notices,
                                                         Metrics* metrics) {
  return std::make_unique<Listener>(std::move(url), notices, metrics);
}

}  // namespace tessera::store::sql
