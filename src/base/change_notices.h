// File: change_notices.h
// Telling the caches of every node that a record changed. A service that caches records (the
// app cache, the key set) subscribes to its topic and drops what a notice names; a service
// that changes such a record publishes a notice once its write has committed.
//
// Publish delivers to this process's subscribers at once, then hands the notice to the
// transport the composition root set: with PostgreSQL, NOTIFY on one channel that every node
// LISTENs to (store/sql/postgres_change_listener.h), whose notices come back through Deliver;
// with SQLite there is one serving process and local delivery is all there is.
//
// Caches still expire by themselves (seconds): a notice lost with a node that died between
// its commit and its publish, or sent while a listener was reconnecting, costs at most that
// lifetime; a listener that reconnects calls DeliverAll, since it may have missed some.
//
//   ChangeNotices notices;
//   notices.Subscribe(ChangeTopic::kApp, [&](std::string_view slug) { Forget(slug); });
//   … commit …  notices.Publish(ChangeTopic::kApp, slug);
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tessera {

enum class ChangeTopic { kApp, kSigningKeys };

class ChangeNotices {
 public:
  // `key` names the record (an app's slug); "" means anything of the topic may have changed.
  using Handler = std::function<void(std::string_view key)>;
  using Transport = std::function<void(std::string_view payload)>;

  // Both at start, before the first notice: the handlers are then read without a lock.
  void Subscribe(ChangeTopic topic, Handler handler);
  void SetTransport(Transport transport) { transport_ = std::move(transport); }

  void Publish(ChangeTopic topic, std::string_view key);
  // A notice from the transport ("app:acme"); unknown topics are ignored (a newer node's).
  void Deliver(std::string_view payload);
  // Notices may have been missed: every subscriber drops everything it holds.
  void DeliverAll();

  // The wire form of a notice: "<topic>:<key>".
  static std::string Payload(ChangeTopic topic, std::string_view key);

 private:
  void DeliverLocally(ChangeTopic topic, std::string_view key);

  std::vector<std::pair<ChangeTopic, Handler>> handlers_;
  Transport transport_;
};

}  // namespace tessera
