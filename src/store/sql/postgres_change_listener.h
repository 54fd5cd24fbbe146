// File: postgres_change_listener.h
// The PostgreSQL transport of ChangeNotices (base/change_notices.h) between the nodes of a
// cluster. Sending is `SELECT pg_notify('tessera_changes', payload)` on any pooled connection
// (Store::SendChangeNotice); receiving is one connection of its own per node that LISTENs on the
// channel, watched by one thread, which hands each notice to ChangeNotices::Deliver.
//
// The listening connection uses the store's URL, so with a multi-host URL and
// target_session_attrs=read-write it follows a failover to the new primary (NOTIFY is only
// sent on a primary). When the connection drops it is opened again every second; once it is
// back every cache starts over (DeliverAll), since notices sent meanwhile are lost.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "base/change_notices.h"
#include "base/metrics.h"
#include "base/result.h"

namespace tessera::store::sql {

inline constexpr std::string_view kChangeChannel = "tessera_changes";

class PostgresChangeListener {
 public:
  virtual ~PostgresChangeListener() = default;
  // Connected and listening (metrics, tests).
  virtual bool listening() const = 0;
};

// Starts listening at once (a first failure to connect is retried, not returned); the thread
// stops when the listener is destroyed. `metrics` (may be null) gets change_listener_up and
// change_notices_received.
std::unique_ptr<PostgresChangeListener> ListenForChanges(std::string url, ChangeNotices& notices,
                                                         Metrics* metrics = nullptr);

}  // namespace tessera::store::sql
