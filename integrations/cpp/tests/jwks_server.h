// File: jwks_server.h
// A tiny HTTP/1.1 server on 127.0.0.1 (a raw socket and one thread) that answers every
// request with the body, status and delay it is set to — or with what a handler makes of the
// request (method, path, headers, body) —, counting requests: the issuer's JWKS endpoint and
// its introspection endpoint for the tests, reached through the real libcurl code of
// JwksCache and TokenIntrospector.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace tessera::resource_server::testing {

struct ReceivedRequest {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;                            // read by Content-Length
};

struct Reply {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
};

class JwksServer {
 public:
  JwksServer();
  ~JwksServer();
  JwksServer(const JwksServer&) = delete;
  JwksServer& operator=(const JwksServer&) = delete;

  // http://127.0.0.1:{port}/apps/blog/.well-known/jwks.json
  std::string url() const;
  int port() const { return port_; }
  void Serve(std::string body, int status = 200);
  // From now on every request is answered by `handler` (on the server's thread).
  void Handle(std::function<Reply(const ReceivedRequest&)> handler);
  void SetDelay(std::chrono::milliseconds delay);
  int requests() const { return requests_.load(); }

 private:
  void Run();
  void Answer(int fd);

  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  mutable std::mutex mu_;
  std::string body_ = "{\"keys\":[]}";
  int status_ = 200;
  std::chrono::milliseconds delay_{0};
  std::function<Reply(const ReceivedRequest&)> handler_;
  std::thread thread_;
};

}  // namespace tessera::resource_server::testing
