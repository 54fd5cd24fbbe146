// File: request_origin.h
// Where the request a thread is handling comes from: the client's IP (req.remote_ip, the one
// resolution every handler uses) and User-Agent. The HTTP server sets it around each handler
// call (a handler runs start to end on one thread), and the audit log stamps it on every event
// recorded meanwhile that names no origin of its own — so no emitter, hosted page or API, can
// leave an event without its IP (issue 11, item 14). Outside a request (maintenance, the CLI,
// the mail worker) it is empty.
#pragma once

#include <string>

namespace tessera {

struct RequestOrigin {
  std::string ip;
  std::string user_agent;
};

// The origin of the request this thread is handling; empty outside one.
const RequestOrigin& CurrentRequestOrigin();

// Sets this thread's request origin for its lifetime, and restores the previous one after.
class ScopedRequestOrigin {
 public:
  explicit ScopedRequestOrigin(RequestOrigin origin);
  ~ScopedRequestOrigin();
  ScopedRequestOrigin(const ScopedRequestOrigin&) = delete;
  ScopedRequestOrigin& operator=(const ScopedRequestOrigin&) = delete;

 private:
  RequestOrigin previous_;
};

}  // namespace tessera
